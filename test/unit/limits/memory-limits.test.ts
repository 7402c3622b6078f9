import type { AppliedLimit } from '../../../src/limits/applicable.js';
import { MemoryLimitStore } from '../../../src/limits/memory-limits.js';

const rpm: AppliedLimit = { name: 'c.rpm', source: 'config', kind: 'requests', period: '1m', limit: 2, counter: 'c.rpm|a', shared: false };
const tpm: AppliedLimit = { name: 'c.tpm', source: 'config', kind: 'tokens', period: '1m', limit: 100, counter: 'c.tpm|a', shared: false };
const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('in-memory limit store', () => {
  const store = () => new MemoryLimitStore({ maxCounters: 100, reservationTtlMs: 10_000 });
  const ask = (decisionId: string, tokens: number, nowMs = t0) => ({ decisionId, limits: [rpm, tpm], tokens, nowMs });

  test('admits while every limit has room, and takes nothing from any limit when one has none', async () => {
    const s = store();
    expect((await s.admit(ask('a', 60))).admitted).toBe(true);
    const refused = await s.admit(ask('b', 60));
    expect(refused).toMatchObject({ admitted: false, states: [{ used: 1, reserved: 0 }, { used: 0, reserved: 60 }] });
    expect((await s.admit(ask('c', 40))).states).toEqual([{ used: 1, reserved: 0 }, { used: 0, reserved: 60 }]);
    expect((await s.admit(ask('d', 1))).admitted).toBe(false);
  });

  test('settle replaces the reservation by the tokens used, once', async () => {
    const s = store();
    await s.admit(ask('a', 60));
    expect(await s.settle('a', 15, t0 + 1)).toBe(true);
    expect(await s.settle('a', 15, t0 + 1)).toBe(false);
    expect((await s.admit(ask('b', 85))).states[1]).toEqual({ used: 15, reserved: 0 });
  });

  test('release gives back the request and the reservation', async () => {
    const s = store();
    const first = ask('a', 60);
    await s.admit(first);
    await s.release(first);
    expect((await s.admit(ask('b', 100))).states).toEqual([{ used: 0, reserved: 0 }, { used: 0, reserved: 0 }]);
  });

  test('an expired reservation is charged at its reserved size, and cannot be settled after', async () => {
    const s = store();
    await s.admit(ask('a', 60));
    expect(await s.settle('a', 5, t0 + 10_000)).toBe(false);
    expect((await s.admit(ask('b', 10, t0 + 10_001))).states[1]).toEqual({ used: 60, reserved: 0 });
  });

  test('reservations expire oldest first, each charged once, also after every earlier one was closed', async () => {
    const s = new MemoryLimitStore({ maxCounters: 100, reservationTtlMs: 10_000 });
    const only = (decisionId: string, tokens: number, nowMs: number) => ({ decisionId, limits: [tpm], tokens, nowMs });
    await s.admit(only('a', 10, t0));
    await s.admit(only('b', 20, t0 + 1));
    await s.admit(only('c', 30, t0 + 2));
    expect(await s.settle('b', 5, t0 + 3)).toBe(true);
    // a expired, c not yet: used 10 (a) + 5 (b), reserved 30 (c)
    expect((await s.admit(only('d', 1, t0 + 10_001))).states[0]).toEqual({ used: 15, reserved: 30 });
    expect((await s.admit(only('e', 1, t0 + 10_003))).states[0]).toEqual({ used: 45, reserved: 1 });
    // Every open reservation gone, then new ones: they still expire.
    expect((await s.admit(only('f', 2, t0 + 20_003))).states[0]).toEqual({ used: 47, reserved: 0 });
    expect((await s.admit(only('g', 1, t0 + 30_004))).states[0]).toEqual({ used: 49, reserved: 0 });
  });

  test('past max_counters open reservations the oldest is charged early at its reserved size; the room left is the same', async () => {
    const s = new MemoryLimitStore({ maxCounters: 2, reservationTtlMs: 10_000 });
    const only = (decisionId: string, tokens: number) => ({ decisionId, limits: [tpm], tokens, nowMs: t0 });
    await s.admit(only('a', 10));
    await s.admit(only('b', 10));
    await s.admit(only('c', 10));
    expect(await s.settle('a', 1, t0 + 1)).toBe(false);
    expect(await s.settle('b', 1, t0 + 1)).toBe(true);
    expect((await s.admit(only('d', 1))).states[0]).toEqual({ used: 11, reserved: 10 });
  });

  test('local fallback divides each limit by the replica count', async () => {
    const s = new MemoryLimitStore({ maxCounters: 100, reservationTtlMs: 10_000, divisor: 2, name: 'local_fallback' });
    const r = await s.admit(ask('a', 60));
    expect(r).toMatchObject({ admitted: false, store: 'local_fallback' });
    expect(r.limits.map((l) => l.limit)).toEqual([1, 50]);
  });
});
