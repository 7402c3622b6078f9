import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

export interface StoreClientOptions {
  /** Per-command limit: a slow Redis fails the command instead of stalling decisions. */
  timeoutMs: number;
  onError: (err: Error) => void;
}

/** A store's use of a shared connection; close() once when the store closes. */
export interface RedisLease {
  readonly redis: Redis;
  close(): Promise<void>;
}

interface Shared {
  redis: Redis;
  users: number;
}

/** Open connections by URL and command timeout: the usage and limit stores of a process share one. */
const open = new Map<string, Shared>();

/**
 * The connection to `url` with this command timeout, opened on first use and shared by every store
 * that asks for the same: one decision's usage read and limit script then leave in one write
 * (auto-pipelining batches the commands of one event-loop turn) and come back in one read.
 * ioredis is loaded on the first call, so a Tollgate without a Redis URL never loads it (~11 MiB of
 * heap); it is CommonJS, so require loads it synchronously from the stores' constructors.
 * A command waits for a (re)connection at most timeoutMs and is never retried on a new connection
 * (maxRetriesPerRequest 0): a limit script run late, or twice, would count a request twice.
 * Reconnects soon after an outage (decisions that need the store fail until it is back).
 */
export function leaseRedisClient(url: string, { timeoutMs, onError }: StoreClientOptions): RedisLease {
  const id = `${timeoutMs} ${url}`;
  let shared = open.get(id);
  if (!shared) {
    const { Redis: RedisClient } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
    const redis = new RedisClient(url, {
      commandTimeout: timeoutMs,
      connectTimeout: Math.max(timeoutMs, 1000),
      maxRetriesPerRequest: 0,
      enableAutoPipelining: true,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    });
    shared = { redis, users: 0 };
    open.set(id, shared);
  }
  const lease = shared;
  lease.users++;
  lease.redis.on('error', onError);
  let closed = false;
  return {
    redis: lease.redis,
    close: async () => {
      if (closed) return;
      closed = true;
      lease.redis.off('error', onError);
      if (--lease.users > 0) return;
      open.delete(id);
      // QUIT when connected (flushes pending writes); disconnect also stops reconnecting to a Redis that is down.
      if (lease.redis.status === 'ready') await lease.redis.quit().catch(() => undefined);
      lease.redis.disconnect();
    },
  };
}
