import type { UsageReader } from '../core/pipeline-ports.js';
import type { Principal } from '../core/types.js';

/** What one model call adds to its caller's counters. */
export interface UsageDelta {
  tokens: number;
  requests: number;
  costUsd: number;
}

export type WindowCounters = {
  tokens: number;
  requests: number;
  cost_usd: number;
};

/** input.usage as policy sees it: the caller's counters for the current UTC minute and day (a type alias, so it is a plain record). */
export type UsageDocument = {
  minute: WindowCounters;
  day: WindowCounters;
};

/**
 * Usage counters per caller, keyed by Principal.id (`api_key:svc`, `jwt:<issuer>#svc`, ...), never by
 * the bare subject: callers of different kinds or issuers with the same name have separate budgets.
 * Outcomes add to them, the pipeline reads them for policy.
 */
export interface UsageStore extends UsageReader {
  record(principalId: string, delta: UsageDelta): Promise<void>;
  /** Synchronous for a store in this process: no promise on the decision's path. */
  usageFor(principal: Principal): UsageDocument | Promise<UsageDocument>;
  close(): Promise<void>;
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** Fixed windows aligned to UTC: the index of the minute and of the day containing `ms`. */
export function windowIndexes(ms: number): { minute: number; day: number } {
  return { minute: Math.floor(ms / MINUTE_MS), day: Math.floor(ms / DAY_MS) };
}

export function emptyCounters(): WindowCounters {
  return { tokens: 0, requests: 0, cost_usd: 0 };
}
