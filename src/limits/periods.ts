/** Limit windows: fixed and aligned to UTC, so every replica agrees on where a window starts and ends. */
export const PERIODS = ['1m', '1h', '1d', '30d', '1mo'] as const;
export type Period = (typeof PERIODS)[number];

const FIXED_MS: Record<Exclude<Period, '1mo'>, number> = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000, '30d': 30 * 86_400_000 };

export interface Window {
  /** Names the window in counter keys: equal on every replica for the same instant. */
  index: number;
  /** Epoch ms at which the window ends (the next one starts). */
  endMs: number;
}

/** The calendar month last asked for: every admission asks for it again, and a Date per ask is most of the cost. */
let month = { startMs: 0, window: { index: 0, endMs: 0 } };

/** The window of `period` that contains `nowMs`; `1mo` is the calendar month (UTC). */
export function windowOf(period: Period, nowMs: number): Window {
  if (period === '1mo') {
    if (nowMs >= month.startMs && nowMs < month.window.endMs) return month.window;
    const d = new Date(nowMs);
    const year = d.getUTCFullYear();
    const m = d.getUTCMonth();
    month = { startMs: Date.UTC(year, m, 1), window: Object.freeze({ index: year * 12 + m, endMs: Date.UTC(year, m + 1, 1) }) };
    return month.window;
  }
  const length = FIXED_MS[period];
  const index = Math.floor(nowMs / length);
  return { index, endMs: (index + 1) * length };
}

/** Longest a window of `period` lasts: how long its counter must outlive its start. */
export function periodMaxMs(period: Period): number {
  return period === '1mo' ? 31 * 86_400_000 : FIXED_MS[period];
}

/** A duration as Go prints it (and so as OpenAI's x-ratelimit-reset-* carry it): `12ms`, `1s`, `6m0s`, `720h0m0s`. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** `N/PERIOD` (`100000/1d`) as written in config, key files and JWT claims; null when it is not one. */
export function parseTokenBudget(text: string): { tokens: number; period: Period } | null {
  const match = /^([1-9][0-9]{0,14})\/(1m|1h|1d|30d|1mo)$/.exec(text.trim());
  return match ? { tokens: Number(match[1]), period: match[2] as Period } : null;
}
