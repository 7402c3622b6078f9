import type { Redis } from 'ioredis';
import { TollgateError } from '../core/errors.js';
import type { Principal } from '../core/types.js';
import { DAY_MS, MINUTE_MS, emptyCounters, windowIndexes, type UsageDelta, type UsageDocument, type UsageStore, type WindowCounters } from './usage.js';
import { leaseRedisClient, type RedisLease } from './redis-client.js';

export interface RedisUsageOptions {
  url: string;
  keyPrefix: string;
  /** Per-command limit: a slow Redis denies (fail closed) instead of stalling every decision. */
  timeoutMs: number;
  now: () => number;
  onError: (err: Error) => void;
}

/**
 * Counters shared by every Tollgate replica: one hash per caller (Principal.id) and window
 * (`<prefix>m:<minute index>:<id>`, `<prefix>d:<day index>:<id>`), expiring after the window.
 */
export class RedisUsageStore implements UsageStore {
  private readonly lease: RedisLease;
  private readonly redis: Redis;

  constructor(private readonly options: RedisUsageOptions) {
    this.lease = leaseRedisClient(options.url, { timeoutMs: options.timeoutMs, onError: options.onError });
    this.redis = this.lease.redis;
  }

  async record(principalId: string, delta: UsageDelta): Promise<void> {
    const tx = this.redis.multi();
    for (const [key, ttlMs] of this.keys(principalId)) {
      tx.hincrby(key, 'tokens', delta.tokens);
      tx.hincrby(key, 'requests', delta.requests);
      tx.hincrbyfloat(key, 'cost_usd', delta.costUsd);
      tx.pexpire(key, ttlMs);
    }
    const results = await this.run(() => tx.exec());
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw unavailable(failed?.[0] ?? new Error('transaction aborted'));
  }

  async usageFor(principal: Principal): Promise<UsageDocument> {
    const [minuteKey, dayKey] = this.keys(principal.id).map(([key]) => key);
    const [minute, day] = await this.run(() => Promise.all([this.redis.hgetall(minuteKey), this.redis.hgetall(dayKey)]));
    return { minute: counters(minute), day: counters(day) };
  }

  /** The connection closes with its last user (the limit store may share it). */
  close(): Promise<void> {
    return this.lease.close();
  }

  /** [key, time to live]: each window's key outlives its window a little, so a late read still sees it. */
  private keys(principalId: string): Array<[string, number]> {
    const { minute, day } = windowIndexes(this.options.now());
    return [
      [`${this.options.keyPrefix}m:${minute}:${principalId}`, 2 * MINUTE_MS],
      [`${this.options.keyPrefix}d:${day}:${principalId}`, DAY_MS + MINUTE_MS],
    ];
  }

  private async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw unavailable(err);
    }
  }
}

function counters(hash: Record<string, string>): WindowCounters {
  const out = emptyCounters();
  for (const field of ['tokens', 'requests', 'cost_usd'] as const) {
    const n = Number(hash[field]);
    if (Number.isFinite(n)) out[field] = n;
  }
  return out;
}

function unavailable(err: unknown): TollgateError {
  return new TollgateError('ERR_DEPENDENCY_UNAVAILABLE', `usage store unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
