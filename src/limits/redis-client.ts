import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

export interface StoreClientOptions {
  /** Per-command limit: a slow Redis fails the command instead of stalling decisions. */
  timeoutMs: number;
  /** How often a command is retried on a new connection (0: it fails at the first broken connection). */
  maxRetriesPerRequest: number;
  onError: (err: Error) => void;
}

/**
 * A Redis client for a store, with ioredis loaded on the first call: a Tollgate without a Redis URL never
 * loads it (~11 MiB of heap). ioredis is CommonJS, so require loads it synchronously from the stores'
 * constructors. Reconnects soon after an outage (decisions that need the store fail until it is back).
 */
export function newRedisClient(url: string, { timeoutMs, maxRetriesPerRequest, onError }: StoreClientOptions): Redis {
  const { Redis: RedisClient } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const client = new RedisClient(url, {
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(timeoutMs, 1000),
    maxRetriesPerRequest,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  client.on('error', onError);
  return client;
}
