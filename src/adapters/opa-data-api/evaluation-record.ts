import { isObject, unknownEndpointFacts } from '../../core/llm.js';
import type { Decision } from '../../core/types.js';

/**
 * A raw Data API evaluation written to the audit log and metrics like a decision. It carries no
 * identity (none was authenticated); "allow" means the value was `true` or had `allow`/`allowed` true.
 */
export function evaluationRecord(
  decisionId: string, outcome: { result: unknown; defined: boolean } | { errorCode: string; reason: string }, policyRevision: string, durationMs: number,
): Decision {
  const failed = 'errorCode' in outcome;
  const value = failed ? undefined : outcome.result;
  const allow = value === true || (isObject(value) && (value.allow === true || value.allowed === true));
  return {
    decisionId,
    allow,
    status: failed ? 500 : 200,
    reason: failed ? outcome.reason : outcome.defined ? 'evaluated' : 'undefined',
    errorCode: failed ? outcome.errorCode : undefined,
    headers: {},
    responseHeaders: {},
    removeHeaders: [],
    llm: unknownEndpointFacts(null),
    policyRevision,
    durationMs,
  };
}
