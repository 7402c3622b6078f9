import type { Decision } from '../../core/types.js';
import { parseMaybeJson } from '../native/decode.js';

/**
 * The result object Kong's OPA plugin acts on. allow: `headers` are set on the upstream request
 * (every identity header, so a client's copy is overwritten). deny: `status`, `headers` on the client
 * response, and `message`, which Kong sends as {"message": <message>}.
 */
export function encodeKongDecision(d: Decision): { result: Record<string, unknown> } {
  if (d.allow) return { result: { allow: true, headers: d.headers } };
  return {
    result: {
      allow: false,
      status: d.status,
      headers: { ...d.headers, ...d.responseHeaders },
      message: parseMaybeJson(d.body ?? '') ?? d.reason,
    },
  };
}
