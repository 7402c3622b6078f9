import type { Logger } from 'winston';
import type { LimitsConfig } from '../config/limits-schema.js';
import type { Metrics } from '../observability/metrics.js';
import { Limits } from './limits.js';
import { MemoryLimitStore } from './memory-limits.js';
import { RedisLimitStore } from './redis-limits.js';
import { ResilientLimitStore } from './resilient-limits.js';

/**
 * In memory for one replica; with a Redis URL (usage.redis_url, the same Redis as usage counters) shared by all.
 * `workers` (server.workers) divides the local fallback further: each worker process counts alone.
 */
export function createLimits(config: LimitsConfig, redisUrl: string | null, metrics: Metrics, log: Logger, workers = 1): Limits {
  const memory = (divisor: number, name: 'memory' | 'local_fallback') => new MemoryLimitStore({
    maxCounters: config.max_counters, reservationTtlMs: config.reservation_ttl_ms, divisor, name,
  });
  const events = {
    denied: (kind: 'requests' | 'tokens') => metrics.limitDenials.inc({ limit: kind }),
    error: (err: unknown) => log.warn('limit store: a release or settlement failed; the reservation is charged when it expires', { error: message(err) }),
  };
  if (!redisUrl) return new Limits(config, memory(1, 'memory'), events);
  const redis = new RedisLimitStore({
    url: redisUrl, keyPrefix: config.key_prefix, timeoutMs: config.redis_timeout_ms, reservationTtlMs: config.reservation_ttl_ms,
    onError: (err) => log.debug('limit store (redis) connection error', { error: err.message }),
  });
  const local = config.on_store_failure === 'local_fallback' ? memory(config.replicas * workers, 'local_fallback') : undefined;
  // Every failure is counted; during an outage the log gets one line every 10 s, not one per decision.
  let lastLogMs = 0;
  let unlogged = 0;
  const store = new ResilientLimitStore(redis, local, {
    storeError: (err) => {
      metrics.limitsStoreErrors.inc();
      unlogged++;
      if (Date.now() - lastLogMs < 10_000) return;
      log.warn('limit store (redis) failed', { error: message(err), failures: unlogged, on_store_failure: config.on_store_failure });
      lastLogMs = Date.now();
      unlogged = 0;
    },
    fallback: (active) => {
      metrics.limitsLocalFallback.set(active ? 1 : 0);
      if (active) log.error('limits: Redis unavailable, enforcing local limits (each divided by limits.replicas x server.workers)', { replicas: config.replicas, workers });
      else log.warn('limits: Redis is back, shared limits enforced again');
    },
  });
  return new Limits(config, store, events);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
