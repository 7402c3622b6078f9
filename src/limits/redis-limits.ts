import type { Redis } from 'ioredis';
import { windowKey, type AdmissionAsk, type AdmissionResult, type LimitStore } from './limit-store.js';
import { ADMIT, RELEASE, SETTLE } from './redis-scripts.js';
import { leaseRedisClient, type RedisLease } from './redis-client.js';

export interface RedisLimitOptions {
  url: string;
  keyPrefix: string;
  /** Per-command limit: past it the admission fails (fail_closed or local_fallback decides what then). */
  timeoutMs: number;
  reservationTtlMs: number;
  onError: (err: Error) => void;
}

type Scripted = Redis & {
  tgAdmit(...args: Array<string | number>): Promise<[number, number[]]>;
  tgSettle(...args: Array<string | number>): Promise<number>;
  tgRelease(...args: Array<string | number>): Promise<number>;
};

/** Counters every replica shares: each admission, settlement and release is one Lua script, one round trip. */
export class RedisLimitStore implements LimitStore {
  private readonly lease: RedisLease;
  private readonly redis: Scripted;

  constructor(private readonly options: RedisLimitOptions) {
    // Shared with the usage store when usage.redis_timeout_ms equals limits.redis_timeout_ms.
    this.lease = leaseRedisClient(options.url, { timeoutMs: options.timeoutMs, onError: options.onError });
    this.redis = this.lease.redis as Scripted;
    this.redis.defineCommand('tgAdmit', { lua: ADMIT });
    this.redis.defineCommand('tgSettle', { lua: SETTLE, numberOfKeys: 1 });
    this.redis.defineCommand('tgRelease', { lua: RELEASE });
  }

  /** False while disconnected: a fallback need not wait for a command to fail. */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  async admit(ask: AdmissionAsk): Promise<AdmissionResult> {
    const keys = ask.limits.map((l) => windowKey(l, ask.nowMs, this.options.reservationTtlMs));
    const perCounter = ask.limits.flatMap((l, i) => [l.kind === 'requests' ? 'q' : 't', l.limit, keys[i].ttlMs]);
    const [admitted, flat] = await this.redis.tgAdmit(
      keys.length + 1, ...keys.map((k) => this.key(k.key)), this.reservationKey(ask.decisionId),
      ask.nowMs, this.options.reservationTtlMs, ask.decisionId, ask.tokens, keys.length, ...perCounter,
    );
    const states = ask.limits.map((_, i) => ({ used: Number(flat[2 * i]), reserved: Number(flat[2 * i + 1]) }));
    return { admitted: admitted === 1, states, limits: ask.limits, store: 'redis' };
  }

  async release(ask: AdmissionAsk): Promise<void> {
    const keys = ask.limits.map((l) => this.key(windowKey(l, ask.nowMs, this.options.reservationTtlMs).key));
    await this.redis.tgRelease(
      keys.length + 1, ...keys, this.reservationKey(ask.decisionId),
      ask.decisionId, ask.tokens, keys.length, ...ask.limits.map((l) => (l.kind === 'requests' ? 'q' : 't')),
    );
  }

  async settle(decisionId: string, tokens: number, nowMs: number): Promise<boolean> {
    return (await this.redis.tgSettle(this.reservationKey(decisionId), decisionId, Math.max(0, Math.floor(tokens)), nowMs)) === 1;
  }

  /** The connection closes with its last user (the usage store may share it). */
  close(): Promise<void> {
    return this.lease.close();
  }

  private key(counterKey: string): string {
    return `${this.options.keyPrefix}${counterKey}`;
  }

  private reservationKey(decisionId: string): string {
    return `${this.options.keyPrefix}r:${decisionId}`;
  }
}
