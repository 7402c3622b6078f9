import { unknownEndpointFacts } from '../../core/llm.js';
import type { Decision } from '../../core/types.js';

/** Reason codes of a raw evaluation: the document was defined, or undefined (no result). */
export const EVALUATION_DEFINED = 'evaluation_defined';
export const EVALUATION_UNDEFINED = 'evaluation_undefined';

/**
 * A raw Data API evaluation as the audit log and metrics see it (gateway "opa_data_api"). It is
 * never an allow, whatever the value: nobody was authenticated and the caller wrote the input,
 * identity included, so a `{"allow": true}` answer authorises nothing. The reason says whether the
 * document was defined; a failure keeps its error code.
 */
export function evaluationRecord(
  decisionId: string, outcome: { defined: boolean } | { errorCode: string; reason: string }, policyRevision: string, durationMs: number,
): Decision {
  const failed = 'errorCode' in outcome;
  return {
    decisionId,
    allow: false,
    status: failed ? 500 : 200,
    reason: failed ? outcome.reason : outcome.defined ? EVALUATION_DEFINED : EVALUATION_UNDEFINED,
    errorCode: failed ? outcome.errorCode : undefined,
    headers: {},
    responseHeaders: {},
    removeHeaders: [],
    llm: unknownEndpointFacts(null),
    policyRevision,
    durationMs,
  };
}
