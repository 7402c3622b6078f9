import { format } from 'winston';

/** Field names whose values are credentials wherever they appear in a log record. */
const SENSITIVE_KEYS = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|api_key|apikey|password|secret|client_secret|token|access_token|id_token|refresh_token|jwt|hook_token|x-tollgate-hook-token|x-tollgate-on-behalf-of|key)$/i;

/**
 * Not inside a word: no letter or digit just before, except the end of a percent escape (`%2F`,
 * `%3D`), after which a secret in a URL or form body starts. `\b` missed those and `_`.
 */
const START = String.raw`(?<!(?<!%[0-9A-Fa-f])[A-Za-z0-9])`;

/**
 * Credential shapes inside free text (error messages, paths, headers with other names). Tollgate
 * keys and JWTs are distinctive enough to be found anywhere; a rare over-redaction is the safe side.
 */
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/(tg_[a-z0-9]{12}_)[A-Za-z0-9_-]{43}/g, '$1[REDACTED]'],
  [/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[REDACTED_JWT]'],
  [new RegExp(String.raw`${START}(Bearer|Basic)(?:\s|%20|\+)+[A-Za-z0-9._~+/=%-]+`, 'gi'), '$1 [REDACTED]'],
  // OpenAI (sk-, sk-proj-, sk-svcacct-) and Anthropic (sk-ant-api03-) keys.
  [new RegExp(String.raw`${START}sk-[A-Za-z0-9_-]{20,}`, 'g'), 'sk-[REDACTED]'],
  [new RegExp(String.raw`${START}AIza[0-9A-Za-z_-]{35}`, 'g'), 'AIza[REDACTED]'],
  // AWS access key ids; a secret access key has no shape of its own, only its name next to it.
  [new RegExp(String.raw`${START}(?:AKIA|ASIA)[0-9A-Z]{16}`, 'g'), '[REDACTED_AWS_KEY_ID]'],
  [/(secret_?access_?key["']?\s*(?:[:=]|%3D)\s*["']?)[A-Za-z0-9/+=]{40}/gi, '$1[REDACTED]'],
];

export const REDACTED = '[REDACTED]';

/** Text every SECRET_PATTERNS match contains; most strings lack it and skip the replaces. */
const MAY_HOLD_SECRET = /tg_|eyJ|bearer|basic|sk-|AIza|AKIA|ASIA|access_?key/i;

/**
 * Attacker-controlled text (a model name, a path, a tool name) reaches log records; past these
 * bounds it is cut with a marker, so one request cannot make a megabyte line.
 */
export const MAX_LOGGED_CHARS = 1024;
export const MAX_LOGGED_ITEMS = 32;
const MAX_LOGGED_KEYS = 64;
/** Redaction runs on the kept text plus this much, so a secret across the cut is still recognised. */
const SECRET_MARGIN = 512;

export function redactString(s: string): string {
  if (s.length > MAX_LOGGED_CHARS) return truncated(redactSecrets(s.slice(0, MAX_LOGGED_CHARS + SECRET_MARGIN)), s.length);
  return redactSecrets(s);
}

function redactSecrets(s: string): string {
  if (!MAY_HOLD_SECRET.test(s)) return s;
  let out = s;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

function truncated(s: string, originalLength: number): string {
  if (s.length <= MAX_LOGGED_CHARS) return s;
  let end = MAX_LOGGED_CHARS;
  // Never split a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(s[end - 1])) end--;
  return `${s.slice(0, end)}…[truncated, ${originalLength} chars]`;
}

/**
 * Returns a copy with every credential removed and every string, list and object bounded;
 * depth-limited so a cyclic or huge object cannot hang logging.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (value.length <= MAX_LOGGED_ITEMS) return value.map((v) => redact(v, depth + 1));
    const kept = value.slice(0, MAX_LOGGED_ITEMS).map((v) => redact(v, depth + 1));
    kept.push(`…[${value.length - MAX_LOGGED_ITEMS} more]`);
    return kept;
  }
  if (value instanceof Error) return { name: value.name, message: redactString(value.message) };
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (const k of keys.length > MAX_LOGGED_KEYS ? keys.slice(0, MAX_LOGGED_KEYS) : keys) {
    const v = (value as Record<string, unknown>)[k];
    out[redactString(k)] = SENSITIVE_KEYS.test(k) && v !== null && v !== '' ? REDACTED : redact(v, depth + 1);
  }
  if (keys.length > MAX_LOGGED_KEYS) out['…'] = `${keys.length - MAX_LOGGED_KEYS} more keys`;
  return out;
}

/** winston format: every record passes through redact() before any transport sees it. */
export const redactFormat = format((info) => {
  for (const key of Object.keys(info)) {
    info[key] = SENSITIVE_KEYS.test(key) && info[key] ? REDACTED : redact(info[key]);
  }
  return info;
});
