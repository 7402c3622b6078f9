import { asTollgateError, TollgateError } from './errors.js';
import { isObject } from './is-object.js';
import { unknownEndpointFacts } from './llm.js';
import type { PolicyEngine } from './pipeline-ports.js';
import type { Decision } from './types.js';

/** What the OPA Data API asks for: one policy entrypoint (a data path) evaluated on input the caller wrote. */
export interface DocumentQuery {
  entrypoint: string;
  input: unknown;
}

export type DocumentOutcome =
  | { kind: 'defined'; value: unknown }
  | { kind: 'undefined' }
  /** The query could not be read (malformed, oversized). */
  | { kind: 'unreadable'; error: TollgateError }
  /** No policy is loaded, or it failed to evaluate. */
  | { kind: 'failed'; error: TollgateError };

export interface DocumentEvaluation {
  decisionId: string;
  outcome: DocumentOutcome;
}

/** Reason codes of a raw evaluation: the document was defined, or undefined (no result). */
export const EVALUATION_DEFINED = 'evaluation_defined';
export const EVALUATION_UNDEFINED = 'evaluation_undefined';

/** Reads the query, then evaluates it; never throws. */
export async function evaluateQuery(policy: PolicyEngine | undefined, read: () => DocumentQuery | Promise<DocumentQuery>): Promise<DocumentOutcome> {
  let query: DocumentQuery;
  try {
    query = await read();
  } catch (err) {
    return { kind: 'unreadable', error: asTollgateError(err, 'ERR_REQUEST_MALFORMED') };
  }
  if (!policy) return { kind: 'failed', error: new TollgateError('ERR_POLICY_NOT_READY', 'no policy bundle is loaded') };
  let resultSet: unknown[] | undefined;
  try {
    resultSet = policy.evaluateEntrypoint(query.entrypoint, query.input);
  } catch (err) {
    return { kind: 'failed', error: asTollgateError(err, 'ERR_POLICY_EVAL_FAILED') };
  }
  const first = Array.isArray(resultSet) && isObject(resultSet[0]) && 'result' in resultSet[0] ? resultSet[0] : undefined;
  return first ? { kind: 'defined', value: first.result } : { kind: 'undefined' };
}

/**
 * A raw evaluation as the audit log and metrics see it. It is never an allow, whatever the value:
 * nobody was authenticated and the caller wrote the input, identity included, so a
 * `{"allow": true}` answer authorises nobody. The reason says whether the document was defined; a
 * failure keeps its error code.
 */
export function evaluationRecord(decisionId: string, outcome: DocumentOutcome, policyRevision: string, durationMs: number): Decision {
  const error = 'error' in outcome ? outcome.error : undefined;
  return {
    decisionId,
    allow: false,
    status: error ? 500 : 200,
    reason: error ? error.reason : outcome.kind === 'defined' ? EVALUATION_DEFINED : EVALUATION_UNDEFINED,
    errorCode: error?.code,
    headers: {},
    responseHeaders: {},
    removeHeaders: [],
    llm: unknownEndpointFacts(null),
    policyRevision,
    durationMs,
  };
}
