import type { AccessAnswer, AccessQuestion } from '../../core/access-evaluation.js';
import type { TollgateError } from '../../core/errors.js';
import type { EvaluationsSemantic } from './decode.js';

/**
 * Answers a batch in request order. The short-circuit semantics stop after the first deny (or
 * error) or the first permit, which is then the last answer; items after it are never evaluated.
 */
export function answerBatch(
  items: ReadonlyArray<AccessQuestion | TollgateError>, semantic: EvaluationsSemantic,
  answer: (question: AccessQuestion) => AccessAnswer, failed: (error: TollgateError) => AccessAnswer,
): { evaluations: AccessAnswer[] } {
  const evaluations: AccessAnswer[] = [];
  for (const item of items) {
    const result = 'subject' in item ? answer(item) : failed(item);
    evaluations.push(result);
    if (semantic === 'deny_on_first_deny' && !result.decision) break;
    if (semantic === 'permit_on_first_permit' && result.decision) break;
  }
  return { evaluations };
}
