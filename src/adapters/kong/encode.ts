import type { Decision } from '../../core/types.js';
import { clientResponseHeaders } from '../http/denial.js';
import { errorBody } from '../../server/body.js';
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

/** Kong serialises the message itself, so a JSON body goes in as a value; a policy's plain text body is replaced by the reason. */
function kongMessage({ denial, decisionId, reason }: Decision): unknown {
  if (!denial) return reason;
  if (denial.policyBody === undefined) return errorBody(denial.code, denial.message, decisionId);
  return parseMaybeJson(denial.policyBody) ?? reason;
}
