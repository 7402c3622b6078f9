import type { Decision } from '../../core/types.js';
import { errorBody } from '../../server/body.js';

const BEARER_CHALLENGE = 'Bearer realm="tollgate"';

/** The `{"error": {code, message, decision_id}}` object every Tollgate error answer carries. */

/** A deny's body as text: the policy's own when it wrote one, else Tollgate's error object; undefined on allow. */
export function denialBody({ denial, decisionId }: Decision): string | undefined {
  if (!denial) return undefined;
  return denial.policyBody ?? JSON.stringify(errorBody(denial.code, denial.message, decisionId));
}

/** Headers for the client's response: the policy's, plus the Bearer challenge of a 401 unless policy set its own. */
export function clientResponseHeaders({ denial, responseHeaders }: Decision): Record<string, string> {
  const challenge = denial?.challenge;
  if (!challenge || responseHeaders['www-authenticate']) return responseHeaders;
  const value = challenge.error ? `${BEARER_CHALLENGE}, error="${challenge.error}"` : BEARER_CHALLENGE;
  return { ...responseHeaders, 'www-authenticate': value };
}
