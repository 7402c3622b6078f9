import type { Decision } from '../../core/types.js';
import { clientResponseHeaders, denialBody } from '../http/denial.js';
import { parseMaybeJson } from '../http/json.js';

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
      headers: { ...d.headers, ...clientResponseHeaders(d) },
      message: kongMessage(d),
    },
  };
}

/**
 * Kong serialises the message itself, so a JSON body (Tollgate's error, an MCP JSON-RPC error, a
 * policy's JSON) goes in as a value; a policy's plain text body is replaced by the reason.
 */
function kongMessage(d: Decision): unknown {
  const body = denialBody(d);
  return (body === undefined ? undefined : parseMaybeJson(body)) ?? d.reason;
}
