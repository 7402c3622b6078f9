import { TollgateError } from '../core/errors.js';
import type { AdmissionAsk, AdmissionResult, LimitStore } from './limit-store.js';
import type { MemoryLimitStore } from './memory-limits.js';
import type { RedisLimitStore } from './redis-limits.js';

export interface StoreEvents {
  /** Every failed Redis command (tollgate_limits_store_errors_total). */
  storeError(err: unknown): void;
  /** Entering (true) or leaving (false) local fallback (tollgate_limits_local_fallback, one log line each). */
  fallback(active: boolean): void;
}

/**
 * Redis with a failure mode. fail_closed (no local store): a decision Redis cannot answer is a 503
 * limits_unavailable. local_fallback: it is admitted on this replica's own counters, each limit
 * divided by the replica count, until Redis answers again.
 */
export class ResilientLimitStore implements LimitStore {
  private inFallback = false;

  constructor(private readonly redis: RedisLimitStore, private readonly local: MemoryLimitStore | undefined, private readonly events: StoreEvents) {}

  async admit(ask: AdmissionAsk): Promise<AdmissionResult> {
    if (this.local && this.inFallback && !this.redis.ready) return this.local.admit(ask);
    try {
      const result = await this.redis.admit(ask);
      this.setFallback(false);
      return result;
    } catch (err) {
      this.events.storeError(err);
      if (!this.local) throw unavailable(err);
      this.setFallback(true);
      return this.local.admit(ask);
    }
  }

  /** Undone where it was taken; a failure only means the reservation is charged when it expires. */
  async release(ask: AdmissionAsk, result: AdmissionResult): Promise<void> {
    if (result.store === 'local_fallback') return this.local!.release(ask);
    try {
      await this.redis.release(ask);
    } catch (err) {
      this.events.storeError(err);
    }
  }

  /** A reservation taken during fallback is settled locally; a failure leaves it to expire at its reserved size. */
  async settle(decisionId: string, tokens: number, nowMs: number): Promise<boolean> {
    if (this.local && await this.local.settle(decisionId, tokens, nowMs)) return true;
    try {
      return await this.redis.settle(decisionId, tokens, nowMs);
    } catch (err) {
      this.events.storeError(err);
      return false;
    }
  }

  async close(): Promise<void> {
    await this.redis.close();
  }

  private setFallback(active: boolean): void {
    if (active === this.inFallback) return;
    this.inFallback = active;
    this.events.fallback(active);
  }
}

function unavailable(err: unknown): TollgateError {
  return new TollgateError('ERR_LIMITS_UNAVAILABLE', `limit store unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
