import { availableParallelism } from 'node:os';
import type { TollgateConfig } from '../../config/schema.js';

/** server.workers as a number: `auto` is one worker per CPU this process may use. */
export function workerCount(config: TollgateConfig): number {
  const { workers } = config.server;
  return workers === 'auto' ? availableParallelism() : workers;
}

/**
 * State a worker would keep alone, where N workers would each enforce the whole budget (N times the
 * limit) or count a fraction of the usage policies read. Those need the shared Redis; started
 * without it, the configuration is refused rather than enforced N times over.
 */
export function clusterProblems(config: TollgateConfig, workers: number): string[] {
  if (workers === 1 || config.usage.redis_url !== null) return [];
  const problems: string[] = [];
  if (config.limits.rules.length > 0) {
    problems.push(`server.workers: ${workers} workers with limits.rules need usage.redis_url (in-memory limits would let each worker allow the whole limit)`);
  }
  if (config.outcomes.hook_token !== null) {
    problems.push(`server.workers: ${workers} workers with outcomes (outcomes.hook_token) need usage.redis_url (in-memory usage counters would each see a share of the usage)`);
  }
  return problems;
}
