import { format } from 'winston';

/** Field names whose values are credentials wherever they appear in a log record. */
const SENSITIVE_KEYS = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|api_key|apikey|password|secret|client_secret|token|access_token|id_token|refresh_token|jwt|hook_token|x-tollgate-hook-token|x-tollgate-on-behalf-of|key)$/i;

/** Credential shapes inside free text (error messages, paths, headers with other names). */
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/\b(tg_[a-z0-9]{12}_)[A-Za-z0-9_-]{43}/g, '$1[REDACTED]'],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[REDACTED_JWT]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [REDACTED]'],
];

export const REDACTED = '[REDACTED]';

/** Text every SECRET_PATTERNS match contains; most strings lack it and skip the three replaces. */
const MAY_HOLD_SECRET = /tg_|eyJ|bearer|basic/i;

export function redactString(s: string): string {
  if (!MAY_HOLD_SECRET.test(s)) return s;
  let out = s;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Returns a copy with every credential removed; depth-limited so a cyclic or huge object cannot hang logging. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redactString(value.message) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SENSITIVE_KEYS.test(k) && v !== null && v !== '' ? REDACTED : redact(v, depth + 1);
  return out;
}

/** winston format: every record passes through redact() before any transport sees it. */
export const redactFormat = format((info) => {
  for (const key of Object.keys(info)) {
    info[key] = SENSITIVE_KEYS.test(key) && info[key] ? REDACTED : redact(info[key]);
  }
  return info;
});
