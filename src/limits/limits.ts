import { thenOrNow } from '../common/maybe-async.js';
import type { LimitsConfig } from '../config/limits-schema.js';
import type { AdmittedLimits, LimitAdmission } from '../core/pipeline-ports.js';
import type { AuthzRequest, Decision, LlmFacts, Principal } from '../core/types.js';
import { LimitCatalogue } from './applicable.js';
import { TokenEstimator, type TokenEstimate } from './estimate.js';
import type { AdmissionAsk, AdmissionResult, LimitStore } from './limit-store.js';
import { binding, envoyLimitMetadata, limitHeaders, limitsDocument, limitStatuses } from './limit-view.js';

export interface LimitEvents {
  /** A 429 for this kind of limit (tollgate_limit_denials_total). */
  denied(kind: 'requests' | 'tokens'): void;
  /** A release or settlement that failed; the reservation then expires at its reserved size. */
  error(err: unknown): void;
}

/**
 * Admission for model calls: every applicable limit is checked and taken in one store step before
 * policy runs (policy reads the result as input.limits), and concluded after it: a deny gives back
 * what was taken, every answer carries the rate-limit headers, an allow the Envoy metadata.
 */
export class Limits implements LimitAdmission {
  private readonly catalogue: LimitCatalogue;
  private readonly estimator: TokenEstimator;

  constructor(config: LimitsConfig, readonly store: LimitStore, private readonly events: LimitEvents) {
    this.catalogue = new LimitCatalogue(config.rules);
    this.estimator = new TokenEstimator(config.default_max_tokens, config.model_max_tokens);
  }

  /** undefined at once when no limit applies, so such a decision waits for no store. */
  admit(decisionId: string, req: AuthzRequest, principal: Principal, llm: LlmFacts, nowMs: number): AdmittedLimits | Promise<AdmittedLimits> | undefined {
    if (!llm.modelCall) return undefined;
    const limits = this.catalogue.applicable(principal, llm);
    if (limits.length === 0) return undefined;
    return this.admitTo(limits, decisionId, req, llm, nowMs);
  }

  /** Synchronous when the store is. */
  private admitTo(limits: AdmissionAsk['limits'], decisionId: string, req: AuthzRequest, llm: LlmFacts, nowMs: number): AdmittedLimits | Promise<AdmittedLimits> {
    const estimate = this.estimator.estimate(req, llm);
    const ask: AdmissionAsk = { decisionId, limits, tokens: estimate.total, nowMs };
    return thenOrNow(this.store.admit(ask), (result) => this.admitted(ask, result, estimate));
  }

  private admitted(ask: AdmissionAsk, result: AdmissionResult, estimate: TokenEstimate): AdmittedLimits {
    const { nowMs } = ask;
    const statuses = limitStatuses(result, estimate.total, nowMs);
    return {
      input: limitsDocument(statuses, result, estimate),
      conclude: (decision: Decision) => {
        if (result.admitted && !decision.allow) this.store.release(ask, result).catch((err: unknown) => this.events.error(err));
        const exceeded = binding(statuses);
        if (!decision.allow && decision.status === 429 && exceeded) this.events.denied(exceeded.kind);
        const shown = decision.allow ? statuses : limitStatuses({ ...result, admitted: false }, estimate.total, nowMs);
        decision.responseHeaders = { ...decision.responseHeaders, ...limitHeaders(shown, decision.status) };
        if (decision.allow) decision.dynamicMetadata = { ...decision.dynamicMetadata, ...envoyLimitMetadata(statuses) };
      },
    };
  }

  /** An outcome report: the tokens used replace the decision's reservation. */
  async settle(decisionId: string, tokens: number, nowMs: number): Promise<boolean> {
    try {
      return await this.store.settle(decisionId, tokens, nowMs);
    } catch (err) {
      this.events.error(err);
      return false;
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
