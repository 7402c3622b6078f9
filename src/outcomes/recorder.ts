import type { Logger } from 'winston';
import type { UsageStore } from '../limits/usage.js';
import type { Outcome } from './outcome.js';
import type { DecidedCaller, RecentDecisions } from './recent-decisions.js';
import type { ReportedOutcomes } from './reported-outcomes.js';

export type RecordResult = 'recorded' | 'duplicate';

export interface OutcomeRecorderDeps {
  decisions: RecentDecisions;
  usage: UsageStore;
  audit: Logger;
  /** The decision ids already reported (idempotency), in this process or shared by the workers. */
  reported: ReportedOutcomes;
  /** Replaces the decision's token reservation by the tokens used (src/limits); never throws. */
  settle?: (decisionId: string, tokens: number) => Promise<unknown>;
  /** Asks the other processes that decide (server.workers) for a decision this one does not remember. */
  decisionsElsewhere?: DecisionsElsewhere;
}

export type DecisionsElsewhere = (decisionId: string) => Promise<DecidedCaller | undefined>;

/** Links an outcome to its decision, counts its usage once, and writes the outcome record. */
export class OutcomeRecorder {
  constructor(private readonly deps: OutcomeRecorderDeps) {}

  /** A repeated report for the same decision is a duplicate: not counted, not logged again. */
  async record(outcome: Outcome): Promise<RecordResult> {
    const id = outcome.decisionId;
    // Claimed before counting, so a concurrent repeat is a duplicate too; released if counting fails.
    if (!await this.deps.reported.claim(id)) return 'duplicate';
    try {
      // By decision id alone: the reservation is in the shared store, whichever replica decided.
      await this.deps.settle?.(id, outcome.totalTokens);
      const caller = this.deps.decisions.get(id) ?? await this.deps.decisionsElsewhere?.(id);
      // Counted under the caller's namespaced id. A bare reported subject is not enough: it cannot say
      // which API key, issuer or mTLS peer of that name made the call, so such an outcome is not counted.
      const principalId = caller ? caller.principalId : outcome.reported.principalId;
      if (principalId) {
        await this.deps.usage.record(principalId, { tokens: outcome.totalTokens, requests: 1, costUsd: outcome.costUsd ?? 0 });
      }
      this.deps.audit.info('outcome', outcomeRecord(outcome, caller));
      return 'recorded';
    } catch (err) {
      await this.deps.reported.release(id);
      throw err;
    }
  }
}

/** The outcome record (docs/integrations/litellm.md): the decision's caller, then what the model did. */
function outcomeRecord(o: Outcome, caller: DecidedCaller | undefined): Record<string, unknown> {
  return {
    log_type: 'outcome',
    decision_id: o.decisionId,
    decision_known: caller !== undefined,
    format: o.format,
    gateway: caller?.gateway ?? 'litellm',
    subject: caller ? caller.subject : o.reported.subject,
    credential: caller?.credential ?? null,
    key_id: caller?.keyId ?? null,
    key_alias: caller ? null : o.reported.keyAlias,
    tenant: caller ? caller.tenant : o.reported.tenant,
    on_behalf_of: caller?.onBehalfOf ?? null,
    requested_model: caller?.model ?? null,
    model: o.model,
    model_group: o.modelGroup,
    provider: o.provider,
    status: o.status,
    error: o.error,
    prompt_tokens: o.promptTokens,
    completion_tokens: o.completionTokens,
    total_tokens: o.totalTokens,
    cost_usd: o.costUsd,
    tool_calls: o.toolCalls,
    stream: o.stream,
    duration_ms: o.durationMs,
    call_id: o.callId,
  };
}
