import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';

/**
 * A Redis client, with ioredis loaded on the first call: a Tollgate without a Redis URL never loads it
 * (~11 MiB of heap). ioredis is CommonJS, so require loads it synchronously from the stores' constructors.
 */
export function newRedisClient(url: string, options: RedisOptions): Redis {
  const { Redis: RedisClient } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  return new RedisClient(url, options);
}
