import type { Redis } from 'ioredis';
import { BoundedMap } from '../common/bounded-map.js';
import { TollgateError } from '../core/errors.js';
import { leaseRedisClient, type RedisLease } from '../limits/redis-client.js';
import { DAY_MS, MINUTE_MS } from '../limits/usage.js';

/** The decisions whose outcome has been counted: a repeated report (a gateway's retry) is not counted again. */
export interface ReportedOutcomes {
  /** True for the first claim of a decision id. Taken before counting, so of concurrent repeats one wins. */
  claim(decisionId: string): Promise<boolean>;
  /** Counting failed: the report may come again and be counted then. */
  release(decisionId: string): Promise<void>;
  close(): Promise<void>;
}

/** One process: the last `capacity` decision ids, claimed synchronously when claim is called. */
export class LocalReportedOutcomes implements ReportedOutcomes {
  private readonly reported: BoundedMap<string, true>;

  constructor(capacity: number) {
    this.reported = new BoundedMap(capacity);
  }

  async claim(decisionId: string): Promise<boolean> {
    if (this.reported.has(decisionId)) return false;
    this.reported.set(decisionId, true);
    return true;
  }

  async release(decisionId: string): Promise<void> {
    this.reported.delete(decisionId);
  }

  async close(): Promise<void> {}
}

export interface RedisReportedOptions {
  url: string;
  keyPrefix: string;
  timeoutMs: number;
  onError: (err: Error) => void;
  /** limits.on_store_failure: local_fallback: while Redis fails, claims are this process's (as usage then is). */
  fallback?: ReportedOutcomes;
}

/** As long as the daily usage counter a report adds to. */
const CLAIM_TTL_MS = DAY_MS + MINUTE_MS;

/**
 * server.workers > 1: a gateway's retry lands on whichever worker round robin picks, so the claim is
 * one atomic Redis SET NX shared by every worker. Without Redis (and without a fallback) the report is
 * refused, retryable: neither counted twice nor lost.
 */
export class RedisReportedOutcomes implements ReportedOutcomes {
  private readonly lease: RedisLease;
  private readonly redis: Redis;

  constructor(private readonly options: RedisReportedOptions) {
    this.lease = leaseRedisClient(options.url, { timeoutMs: options.timeoutMs, onError: options.onError });
    this.redis = this.lease.redis;
  }

  async claim(decisionId: string): Promise<boolean> {
    try {
      return await this.redis.set(this.key(decisionId), '1', 'PX', CLAIM_TTL_MS, 'NX') === 'OK';
    } catch (err) {
      if (!this.options.fallback) {
        throw new TollgateError('ERR_DEPENDENCY_UNAVAILABLE', `usage store unavailable: ${(err as Error).message}`, { cause: err });
      }
      this.options.onError(err as Error);
      return this.options.fallback.claim(decisionId);
    }
  }

  /** A claim left behind (Redis failed again) only makes a retry a duplicate: under-counted, never twice. */
  async release(decisionId: string): Promise<void> {
    await this.options.fallback?.release(decisionId);
    await this.redis.del(this.key(decisionId)).catch((err: Error) => this.options.onError(err));
  }

  close(): Promise<void> {
    return this.lease.close();
  }

  private key(decisionId: string): string {
    return `${this.options.keyPrefix}outcome:${decisionId}`;
  }
}
