import { goDuration, parseTokenBudget, windowOf } from '../../../src/limits/periods.js';

describe('limit windows', () => {
  test('fixed windows are aligned to UTC; 1mo is the calendar month', () => {
    const t = Date.UTC(2026, 1, 14, 10, 30, 15);
    expect(windowOf('1m', t).endMs).toBe(Date.UTC(2026, 1, 14, 10, 31));
    expect(windowOf('1h', t).endMs).toBe(Date.UTC(2026, 1, 14, 11));
    expect(windowOf('1d', t).endMs).toBe(Date.UTC(2026, 1, 15));
    expect(windowOf('1mo', t).endMs).toBe(Date.UTC(2026, 2, 1));
    expect(windowOf('1mo', Date.UTC(2026, 11, 31, 23)).endMs).toBe(Date.UTC(2027, 0, 1));
    expect(windowOf('1mo', t).index).not.toBe(windowOf('1mo', Date.UTC(2026, 2, 1)).index);
    expect(windowOf('30d', t).endMs % (30 * 86_400_000)).toBe(0);
  });

  test('1mo is right whatever month was asked before (later, earlier, the last instant of one, the first of the next)', () => {
    const instants = [Date.UTC(2026, 1, 14), Date.UTC(2025, 11, 31, 23, 59, 59, 999), Date.UTC(2026, 1, 28, 23, 59, 59, 999), Date.UTC(2026, 2, 1), Date.UTC(2026, 1, 1)];
    for (const t of instants) {
      const d = new Date(t);
      expect(windowOf('1mo', t)).toEqual({ index: d.getUTCFullYear() * 12 + d.getUTCMonth(), endMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) });
    }
  });

  test.each([[12, '12ms'], [1000, '1s'], [1001, '2s'], [360_000, '6m0s'], [3_725_000, '1h2m5s'], [30 * 86_400_000, '720h0m0s']])('%d ms is %s, as Go prints it', (ms, text) => {
    expect(goDuration(ms)).toBe(text);
  });

  test('token budgets are N/PERIOD', () => {
    expect(parseTokenBudget('100000/1mo')).toEqual({ tokens: 100000, period: '1mo' });
    expect(parseTokenBudget('5/30d')).toEqual({ tokens: 5, period: '30d' });
    for (const bad of ['0/1d', '-1/1d', '10/2d', '10', '1.5/1h', '10/1d/1h']) expect(parseTokenBudget(bad)).toBeNull();
  });
});
