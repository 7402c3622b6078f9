import { TOKEN_BUDGET_PERIODS, type KeyLimits, type TokenBudgetPeriod } from '../identity/key-file.js';
import { UsageError } from './args.js';

/** The flags every `tollgate keys` command takes. */
export const keyFileFlags = {
  file: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `--file`, else TOLLGATE_KEYS_FILE. */
export function keyFile(flag: string | undefined): string {
  const file = flag ?? process.env.TOLLGATE_KEYS_FILE;
  if (!file) throw new UsageError('--file (or TOLLGATE_KEYS_FILE) is required');
  return file;
}

/** A repeatable flag whose values may also be comma lists: `--tools a,b --tools c` is [a, b, c]. */
export function listFlag(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/** Longer than any key should live; also keeps every end time a valid date. */
const MAX_DURATION_MS = 100 * 365 * 86400e3;

/** "30d", "12h", "15m", "90s" -> milliseconds; zero is not a duration. */
export function parseDuration(flag: string, text: string): number {
  const m = /^([1-9]\d*)([smhd])$/.exec(text);
  if (!m) throw new UsageError(`--${flag}: invalid duration "${text}" (use e.g. 30d, 12h, 15m, 90s)`);
  const ms = Number(m[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd'];
  if (ms > MAX_DURATION_MS) throw new UsageError(`--${flag}: "${text}" is longer than 100 years`);
  return ms;
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!/^[1-9]\d*$/.test(text) || !Number.isSafeInteger(n)) throw new UsageError(`--${flag}: "${text}" is not a positive integer`);
  return n;
}

/** `--rpm N --tpm N --token-budget TOKENS/PERIOD`; undefined when none is given. */
export function parseLimits(flags: { rpm?: string; tpm?: string; 'token-budget'?: string }): KeyLimits | undefined {
  const limits: KeyLimits = {};
  if (flags.rpm !== undefined) limits.rpm = positiveInt('rpm', flags.rpm);
  if (flags.tpm !== undefined) limits.tpm = positiveInt('tpm', flags.tpm);
  const budget = flags['token-budget'];
  if (budget !== undefined) {
    const [tokens, period, ...extra] = budget.split('/');
    if (extra.length > 0 || !isPeriod(period)) {
      throw new UsageError(`--token-budget: "${budget}" is not TOKENS/PERIOD with PERIOD one of ${TOKEN_BUDGET_PERIODS.join(', ')} (e.g. 1000000/1mo)`);
    }
    limits.token_budget = { tokens: positiveInt('token-budget', tokens), period };
  }
  return Object.keys(limits).length === 0 ? undefined : limits;
}

function isPeriod(text: string | undefined): text is TokenBudgetPeriod {
  return (TOKEN_BUDGET_PERIODS as readonly (string | undefined)[]).includes(text);
}
