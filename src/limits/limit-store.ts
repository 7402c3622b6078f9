import type { AppliedLimit } from './applicable.js';
import { periodMaxMs, windowOf } from './periods.js';

/** What one decision asks of the counters: one request on each requests limit, `tokens` reserved on each tokens limit. */
export interface AdmissionAsk {
  decisionId: string;
  limits: readonly AppliedLimit[];
  tokens: number;
  nowMs: number;
}

/** A counter's state before this request: `used` is settled (and expired-charged) tokens or counted requests. */
export interface CounterState {
  used: number;
  reserved: number;
}

export interface AdmissionResult {
  /** True when every limit had room: the request is counted and its tokens reserved. */
  admitted: boolean;
  /** One per limit, in the ask's order. */
  states: CounterState[];
  /** The limits as the store enforced them (local_fallback divides them by the replica count). */
  limits: readonly AppliedLimit[];
  store: 'memory' | 'redis' | 'local_fallback';
}

/**
 * Counters for requests and tokens, per window. admit checks and takes in one atomic step; release
 * undoes an admission a policy then denied; settle replaces a reservation by the tokens reported used.
 */
export interface LimitStore {
  /** Synchronous for a store in this process. */
  admit(ask: AdmissionAsk): AdmissionResult | Promise<AdmissionResult>;
  /** Undoes an admission (`result` says which store took it). */
  release(ask: AdmissionAsk, result: AdmissionResult): Promise<void>;
  /** false: no open reservation under this decision id (never made, already settled, or expired and charged). */
  settle(decisionId: string, tokens: number, nowMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** The counter a limit is enforced on in the window containing `nowMs`, and how long that key must live. */
export function windowKey(limit: AppliedLimit, nowMs: number, reservationTtlMs: number): { key: string; ttlMs: number } {
  const w = windowOf(limit.period, nowMs);
  return { key: `${limit.kind === 'requests' ? 'q' : 't'}:${limit.period}:${w.index}:${limit.counter}`, ttlMs: periodMaxMs(limit.period) + reservationTtlMs };
}
