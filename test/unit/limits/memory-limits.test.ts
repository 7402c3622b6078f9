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

  test('local fallback divides each limit by the replica count', async () => {
    const s = new MemoryLimitStore({ maxCounters: 100, reservationTtlMs: 10_000, divisor: 2, name: 'local_fallback' });
    const r = await s.admit(ask('a', 60));
    expect(r).toMatchObject({ admitted: false, store: 'local_fallback' });
    expect(r.limits.map((l) => l.limit)).toEqual([1, 50]);
  });
});
