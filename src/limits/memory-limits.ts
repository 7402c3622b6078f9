import { BoundedMap } from '../common/bounded-map.js';
import type { AppliedLimit } from './applicable.js';
import { windowKey, type AdmissionAsk, type AdmissionResult, type CounterState, type LimitStore } from './limit-store.js';

interface Reservation {
  /** The token counters it reserved on. */
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
 * atomic). Bounded: past max_counters the least recently used counters are forgotten, and past
 * max_counters open reservations the oldest is charged at its reserved size early (as its expiry
 * would: a limit's room is `limit - used - reserved` either way; only a later settle cannot lower it).
 */
export class MemoryLimitStore implements LimitStore {
  private readonly counters: BoundedMap<string, CounterState>;
  private readonly reservations = new OpenReservations();
  private readonly divisor: number;
  private readonly name: AdmissionResult['store'];

  constructor(private readonly options: MemoryLimitOptions) {
    this.counters = new BoundedMap(options.maxCounters);
    this.divisor = options.divisor ?? 1;
    this.name = options.name ?? 'memory';
  }

  admit(ask: AdmissionAsk): AdmissionResult {
    this.chargeExpired(ask.nowMs);
    const limits = this.divisor === 1 ? ask.limits : ask.limits.map((l) => ({ ...l, limit: Math.max(1, Math.floor(l.limit / this.divisor)) }));
    const keys = limits.map((l) => windowKey(l, ask.nowMs, this.options.reservationTtlMs).key);
    const counters = keys.map((key) => this.counter(key));
    const states = counters.map(({ used, reserved }) => ({ used, reserved }));
    const admitted = limits.every((l, i) => cost(l, ask.tokens) <= l.limit - states[i].used - states[i].reserved);
    if (admitted) this.take(ask, limits, keys, counters);
    return { admitted, states, limits, store: this.name };
  }

  release(ask: AdmissionAsk): Promise<void> {
    for (const limit of ask.limits) {
      if (limit.kind !== 'requests') continue;
      const counter = this.counters.get(windowKey(limit, ask.nowMs, this.options.reservationTtlMs).key);
      if (counter) counter.used = Math.max(0, counter.used - 1);
    }
    this.closeReservation(ask.decisionId, 0);
    return Promise.resolve();
  }

  settle(decisionId: string, tokens: number, nowMs: number): Promise<boolean> {
    const reservation = this.reservations.get(decisionId);
    if (!reservation) return Promise.resolve(false);
    // Past its time the reservation stays charged at its reserved size (docs/limits.md).
    if (reservation.expiresAtMs <= nowMs) {
      this.closeReservation(decisionId, reservation.tokens);
      return Promise.resolve(false);
    }
    this.closeReservation(decisionId, tokens);
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** The reservation closes, charging `tokens` (0 for a release) in its place. */
  private closeReservation(decisionId: string, tokens: number): void {
    const reservation = this.reservations.take(decisionId);
    if (reservation) this.charge(reservation, tokens);
  }

  private take(ask: AdmissionAsk, limits: readonly AppliedLimit[], keys: string[], counters: CounterState[]): void {
    const reserved: string[] = [];
    limits.forEach((limit, i) => {
      if (limit.kind === 'requests') {
        counters[i].used += 1;
        return;
      }
      counters[i].reserved += ask.tokens;
      reserved.push(keys[i]);
    });
    if (reserved.length === 0) return;
    this.reservations.add(ask.decisionId, { keys: reserved, tokens: ask.tokens, expiresAtMs: ask.nowMs + this.options.reservationTtlMs });
    if (this.reservations.size > this.options.maxCounters) {
      const oldest = this.reservations.takeOldest();
      if (oldest) this.charge(oldest, oldest.tokens);
    }
  }

  /** Reservations past their time are charged at their reserved size; they expire in the order they were made (one TTL). */
  private chargeExpired(nowMs: number): void {
    for (let r = this.reservations.oldest(); r && r.expiresAtMs <= nowMs; r = this.reservations.oldest()) {
      this.charge(this.reservations.takeOldest()!, r.tokens);
    }
  }

  /** Moves a closed reservation out of `reserved`, charging `tokens` in its place. */
  private charge(reservation: Reservation, tokens: number): void {
    for (const key of reservation.keys) {
      const counter = this.counters.get(key);
      if (!counter) continue;
      counter.reserved -= reservation.tokens;
      counter.used += tokens;
    }
  }

  private counter(key: string): CounterState {
    let counter = this.counters.get(key);
    if (!counter) {
      counter = { used: 0, reserved: 0 };
      this.counters.set(key, counter);
    }
    return counter;
  }
}

/**
 * Open reservations by decision id, in the order they were made (so oldest first is expiry order).
 * One Map entry per decision, whatever its number of token limits. The oldest is read through one
 * long-lived iterator: a fresh one would step over every entry deleted since V8's last rehash
 * (see common/bounded-map.ts), which here is every reservation settled or expired.
 */
class OpenReservations {
  private entries = new Map<string, Reservation>();
  private cursor: Iterator<[string, Reservation]> = this.entries.entries();
  /** The entry the cursor last gave: the oldest open one, unless it has since been closed. */
  private head: [string, Reservation] | undefined;

  get size(): number {
    return this.entries.size;
  }

  get(decisionId: string): Reservation | undefined {
    return this.entries.get(decisionId);
  }

  add(decisionId: string, reservation: Reservation): void {
    this.entries.set(decisionId, reservation);
  }

  take(decisionId: string): Reservation | undefined {
    const reservation = this.entries.get(decisionId);
    if (reservation) this.entries.delete(decisionId);
    return reservation;
  }

  oldest(): Reservation | undefined {
    while (!this.head || this.entries.get(this.head[0]) !== this.head[1]) {
      if (this.entries.size === 0) {
        // An exhausted iterator never sees later entries: start again on a fresh, empty Map.
        this.entries = new Map();
        this.cursor = this.entries.entries();
        this.head = undefined;
        return undefined;
      }
      const next = this.cursor.next();
      this.head = next.done ? undefined : next.value;
      if (next.done) this.cursor = this.entries.entries();
    }
    return this.head[1];
  }

  takeOldest(): Reservation | undefined {
    const oldest = this.oldest();
    if (oldest) this.entries.delete(this.head![0]);
    return oldest;
  }
}

function cost(limit: AppliedLimit, tokens: number): number {
  return limit.kind === 'requests' ? 1 : tokens;
}
