import type { Decision, Denial } from '../../core/types.js';
import { errorBody } from '../../server/body.js';
import { mcpErrorBody } from './mcp-error.js';

const BEARER_CHALLENGE = 'Bearer realm="tollgate"';

/**
 * A deny's body as text: the policy's own when it wrote one, a JSON-RPC error for an MCP call, else
 * Tollgate's `{"error": {code, message, decision_id}}`; undefined on allow.
 */
export function denialBody(d: Decision): string | undefined {
  const { denial, decisionId } = d;
  if (!denial) return undefined;
  if (denial.policyBody !== undefined) return denial.policyBody;
  return d.mcp ? mcpErrorBody(d, d.mcp) : JSON.stringify(errorBody(denial.code, denial.message, decisionId));
}

/** Headers for the client's response: the policy's, plus the deny's Bearer challenge unless policy set its own. */
export function clientResponseHeaders({ denial, responseHeaders }: Decision): Record<string, string> {
  const challenge = denial?.challenge;
  if (!challenge || responseHeaders['www-authenticate']) return responseHeaders;
  return { ...responseHeaders, 'www-authenticate': bearerChallenge(challenge) };
}

/** RFC 6750 parameters; scopes are tool names and the metadata URL a validated URL, so neither holds a quote. */
function bearerChallenge({ error, scope, resourceMetadata }: NonNullable<Denial['challenge']>): string {
  let value = BEARER_CHALLENGE;
  if (error) value += `, error="${error}"`;
  if (scope) value += `, scope="${scope}"`;
  if (resourceMetadata) value += `, resource_metadata="${resourceMetadata}"`;
  return value;
}
