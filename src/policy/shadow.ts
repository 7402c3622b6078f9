import { verdictFromResultSet, type PolicyVerdict } from '../core/decision.js';
import { asTollgateError } from '../core/errors.js';
import type { ShadowEvaluator } from '../core/pipeline-ports.js';
import type { ShadowOutcome } from '../core/types.js';
import type { PolicyStore } from './policy-store.js';

/**
 * Evaluates the candidate bundle of policy.shadow on the enforced decision's input, for a sampled
 * fraction of decisions. Its result is only reported: an error or undefined result counts as the
 * deny it would be under enforcement, and nothing it does reaches the answer.
 */
export class ShadowPolicy implements ShadowEvaluator {
  constructor(private readonly store: PolicyStore, private readonly sample: number, private readonly random = Math.random) {}

  compare(input: Record<string, unknown>, enforced: PolicyVerdict): ShadowOutcome | undefined {
    const engine = this.store.current();
    if (!engine || (this.sample < 1 && this.random() >= this.sample)) return undefined;
    let outcome: ShadowOutcome;
    try {
      const verdict = verdictFromResultSet(engine.evaluateAgain(input));
      outcome = { result: verdict.allow ? 'allow' : 'deny', reason: verdict.reason, revision: engine.revision };
    } catch (err) {
      outcome = { result: 'deny', reason: asTollgateError(err, 'ERR_POLICY_EVAL_FAILED').reason, revision: engine.revision };
    }
    return (outcome.result === 'allow') === enforced.allow ? undefined : outcome;
  }
}
