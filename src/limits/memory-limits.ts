import { BoundedMap } from '../common/bounded-map.js';
import type { AppliedLimit } from './applicable.js';
import { windowKey, type AdmissionAsk, type AdmissionResult, type CounterState, type LimitStore } from './limit-store.js';

interface Counter extends CounterState {
  /** Open token reservations on this counter by decision id. */
  open: Map<string, { tokens: number; expiresAtMs: number }>;
}

interface Reservation {
  keys: string[];
  tokens: number;
  expiresAtMs: number;
}

export interface MemoryLimitOptions {
  maxCounters: number;
  reservationTtlMs: number;
  /** local_fallback: each replica enforces limit / replicas on its own. */
  divisor?: number;
  name?: AdmissionResult['store'];
}

/**
 * Counters in this process: exact for one replica (Node runs each admit to completion, so it is
 * atomic). Bounded: past max_counters the least recently used counters are forgotten.
 */
export class MemoryLimitStore implements LimitStore {
  private readonly counters: BoundedMap<string, Counter>;
  private readonly reservations: BoundedMap<string, Reservation>;
  private readonly divisor: number;
  private readonly name: AdmissionResult['store'];

  constructor(private readonly options: MemoryLimitOptions) {
    this.counters = new BoundedMap(options.maxCounters);
    this.reservations = new BoundedMap(options.maxCounters);
    this.divisor = options.divisor ?? 1;
    this.name = options.name ?? 'memory';
  }

  admit(ask: AdmissionAsk): Promise<AdmissionResult> {
    const limits = this.divisor === 1 ? ask.limits : ask.limits.map((l) => ({ ...l, limit: Math.max(1, Math.floor(l.limit / this.divisor)) }));
    const counters = limits.map((l) => this.counter(windowKey(l, ask.nowMs, this.options.reservationTtlMs).key, ask.nowMs));
    const states = counters.map(({ used, reserved }) => ({ used, reserved }));
    const admitted = limits.every((l, i) => cost(l, ask.tokens) <= l.limit - states[i].used - states[i].reserved);
    if (admitted) this.take(ask, limits, counters);
    return Promise.resolve({ admitted, states, limits, store: this.name });
  }

  release(ask: AdmissionAsk): Promise<void> {
    this.reservations.delete(ask.decisionId);
    for (const limit of ask.limits) {
      const counter = this.counters.get(windowKey(limit, ask.nowMs, this.options.reservationTtlMs).key);
      if (!counter) continue;
      if (limit.kind === 'requests') counter.used = Math.max(0, counter.used - 1);
      else closeReservation(counter, ask.decisionId, 0);
    }
    return Promise.resolve();
  }

  settle(decisionId: string, tokens: number, nowMs: number): Promise<boolean> {
    const reservation = this.reservations.get(decisionId);
    if (!reservation) return Promise.resolve(false);
    this.reservations.delete(decisionId);
    // Past its time the reservation stays charged at its reserved size (docs/limits.md).
    if (reservation.expiresAtMs <= nowMs) return Promise.resolve(false);
    for (const key of reservation.keys) {
      const counter = this.counters.get(key);
      if (counter) closeReservation(counter, decisionId, tokens);
    }
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private take(ask: AdmissionAsk, limits: readonly AppliedLimit[], counters: Counter[]): void {
    const expiresAtMs = ask.nowMs + this.options.reservationTtlMs;
    const keys: string[] = [];
    limits.forEach((limit, i) => {
      const counter = counters[i];
      if (limit.kind === 'requests') {
        counter.used += 1;
        return;
      }
      counter.reserved += ask.tokens;
      counter.open.set(ask.decisionId, { tokens: ask.tokens, expiresAtMs });
      keys.push(windowKey(limit, ask.nowMs, this.options.reservationTtlMs).key);
    });
    if (keys.length > 0) this.reservations.set(ask.decisionId, { keys, tokens: ask.tokens, expiresAtMs });
  }

  /** The counter, with reservations past their time charged at their reserved size. */
  private counter(key: string, nowMs: number): Counter {
    let counter = this.counters.get(key);
    if (!counter) {
      counter = { used: 0, reserved: 0, open: new Map() };
      this.counters.set(key, counter);
    }
    // Insertion order is expiry order (one TTL), so the scan stops at the first one still open.
    for (const [id, r] of counter.open) {
      if (r.expiresAtMs > nowMs) break;
      counter.open.delete(id);
      counter.reserved -= r.tokens;
      counter.used += r.tokens;
    }
    return counter;
  }
}

function cost(limit: AppliedLimit, tokens: number): number {
  return limit.kind === 'requests' ? 1 : tokens;
}

/** Moves an open reservation out of `reserved`, charging `tokens` (0 for a release) in its place. */
function closeReservation(counter: Counter, decisionId: string, tokens: number): void {
  const open = counter.open.get(decisionId);
  if (!open) return;
  counter.open.delete(decisionId);
  counter.reserved -= open.tokens;
  counter.used += tokens;
}
