import type { Router } from 'express';
import type { Logger } from 'winston';
import type { DecisionObserver } from '../core/pipeline-ports.js';
import type { OutcomesConfig, UsageConfig } from '../config/outcomes-schema.js';
import { MemoryUsageStore } from '../limits/memory-usage.js';
import { FallbackUsageStore } from '../limits/fallback-usage.js';
import { RedisUsageStore } from '../limits/redis-usage.js';
import type { UsageStore } from '../limits/usage.js';
import { RecentDecisions } from './recent-decisions.js';
import { OutcomeRecorder, type DecisionsElsewhere } from './recorder.js';
import { LocalReportedOutcomes, RedisReportedOutcomes, type ReportedOutcomes } from './reported-outcomes.js';
import { outcomesRouter } from './route.js';

export interface OutcomesDeps {
  outcomes: OutcomesConfig;
  usage: UsageConfig;
  audit: Logger;
  log: Logger;
  now: () => number;
  /** Settles a decision's token reservation (src/limits). */
  settle?: (decisionId: string, tokens: number) => Promise<unknown>;
  /** limits.on_store_failure is local_fallback: a failing Redis falls back to counters in this process. */
  usageFallback?: boolean;
  decisionsElsewhere?: DecisionsElsewhere;
  /** server.workers > 1: repeated reports are recognised in the shared Redis, whichever worker each reaches. */
  sharedReports?: boolean;
}

/** Wires the outcome side together: decision memory, usage counters, recorder and route. */
export class Outcomes {
  /**
   * Remembers who each allowed decision was for; none without a hook token, since then no outcome can
   * be reported (50k remembered decisions cost ~10 MiB of heap and old-space churn on every allow).
   */
  readonly observers: DecisionObserver[];
  /** The decisions remembered here (other workers ask for theirs: server.workers). */
  readonly decisions: RecentDecisions;
  /** The pipeline's UsageReader (input.usage), fed by recorded outcomes. */
  readonly usage: UsageStore;
  private readonly recorder: OutcomeRecorder;
  private readonly reported: ReportedOutcomes;
  private readonly config: OutcomesConfig;

  constructor({ outcomes, usage, audit, log, now, settle, usageFallback, decisionsElsewhere, sharedReports }: OutcomesDeps) {
    this.config = outcomes;
    this.decisions = new RecentDecisions(outcomes.remember_decisions);
    this.observers = outcomes.hook_token === null ? [] : [this.decisions];
    const memory = () => new MemoryUsageStore(usage.max_subjects, now);
    const redis = usage.redis_url
      ? new RedisUsageStore({
        url: usage.redis_url,
        keyPrefix: usage.key_prefix,
        timeoutMs: usage.redis_timeout_ms,
        now,
        onError: (err) => log.warn('usage store (redis) error', { error: err.message }),
      })
      : undefined;
    this.usage = !redis ? memory() : usageFallback
      ? new FallbackUsageStore(redis, memory(), (err) => log.warn('usage store (redis) failed; counting on this replica', { error: err instanceof Error ? err.message : String(err) }))
      : redis;
    const local = () => new LocalReportedOutcomes(outcomes.remember_outcomes);
    this.reported = sharedReports && usage.redis_url ? new RedisReportedOutcomes({
      url: usage.redis_url,
      keyPrefix: usage.key_prefix,
      timeoutMs: usage.redis_timeout_ms,
      onError: (err) => log.warn('reported outcomes (redis) error', { error: err.message }),
      fallback: usageFallback ? local() : undefined,
    }) : local();
    this.recorder = new OutcomeRecorder({ decisions: this.decisions, usage: this.usage, audit, reported: this.reported, settle, decisionsElsewhere });
  }

  router(): Router {
    const { config } = this;
    return outcomesRouter({
      recorder: this.recorder, hookToken: config.hook_token, maxBodyBytes: config.max_body_bytes, maxBatchEntries: config.max_batch_entries,
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.usage.close(), this.reported.close()]);
  }
}
