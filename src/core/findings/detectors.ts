/**
 * Detectors of sensitive text, chosen for precision: each secret pattern is a shape issuers fixed
 * (prefixes, lengths, OpenAI's embedded "T3BlbkFJ"), so ordinary prose and identifiers do not match.
 * Every quantifier is bounded, so a hostile prompt costs at most a constant per position; and each
 * detector first looks for a literal its matches must contain, chosen to start with a character
 * prose rarely has (V8 finds those at memchr speed; `eyJ` or `tg_` would stop at every e or t), so
 * prose without one costs a few substring searches (bench/scenarios/prompt-and-mcp.ts prices it).
 */
export interface Detector {
  /** `secret.*` (the default policy denies model calls carrying one) or `pii.*` (a fact for policy). */
  kind: string;
  /** How many times the kind occurs in `text`. */
  count(text: string): number;
}

const B = '(?<![A-Za-z0-9_-])';
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const E = '(?![A-Za-z0-9_-])';

/** A regex detector run only when `text` holds one of `hints`, each of its matches passing `accept`. */
function regexDetector(kind: string, hints: readonly string[], source: string, accept?: (match: string, index: number, text: string) => boolean): Detector {
  const pattern = new RegExp(source, 'g');
  return {
    kind,
    count(text) {
      if (!hints.some((hint) => text.includes(hint))) return 0;
      let count = 0;
      pattern.lastIndex = 0;
      for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) if (!accept || accept(m[0], m.index, text)) count++;
      return count;
    },
  };
}

export const DETECTORS: readonly Detector[] = [
  regexDetector('secret.private_key', ['PRIVATE KEY-----'], '-----BEGIN (?:[A-Z0-9]{1,16} ){0,4}PRIVATE KEY(?: BLOCK)?-----'),
  regexDetector('secret.aws_access_key', ['AKIA', 'ASIA', 'ABIA', 'ACCA'], `${B}(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}${E}`),
  regexDetector('secret.tollgate_key', ['_'], `${B}tg_[a-z0-9]{12}_[A-Za-z0-9_-]{43}${E}`),
  regexDetector('secret.openai_key', ['T3BlbkFJ'], `${B}sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,80}T3BlbkFJ[A-Za-z0-9_-]{20,80}${E}`),
  regexDetector('secret.anthropic_key', ['sk-ant-'], `${B}sk-ant-(?:api|admin|oat)[0-9]{2}-[A-Za-z0-9_-]{32,200}${E}`),
  regexDetector('secret.github_token', ['_'], `${B}(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})${E}`),
  regexDetector('secret.slack_token', ['xox'], `${B}xox[baprs]-[0-9]{8,13}-[A-Za-z0-9-]{8,120}${E}`),
  regexDetector('secret.google_api_key', ['AIza'], `${B}AIza[0-9A-Za-z_-]{35}${E}`),
  regexDetector('secret.stripe_key', ['_live_'], `${B}(?:sk|rk)_live_[0-9A-Za-z]{24,99}${E}`),
  regexDetector('secret.jwt', ['.eyJ'], `${B}eyJ[A-Za-z0-9_-]{8,2048}\\.eyJ[A-Za-z0-9_-]{8,16384}\\.[A-Za-z0-9_-]{0,2048}${E}`),
  { kind: 'pii.email', count: countEmails },
  // No lookbehind: it would cost a check at every position. A match inside a longer digit run is refused instead.
  regexDetector('pii.payment_card', DIGITS, '[0-9](?:[ -]?[0-9]){12,18}', (match, index, text) => !isDigitAt(text, index - 1) && !isDigitAt(text, index + match.length) && isPaymentCard(match)),
];

/** 13-19 digits of a card network's number range that pass the Luhn check. */
export function isPaymentCard(text: string): boolean {
  const digits = text.replace(/[ -]/g, '');
  if (!/^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6)/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function isDigitAt(text: string, index: number): boolean {
  const c = text.charCodeAt(index);
  return c >= 48 && c <= 57;
}

const LOCAL_PART = /[A-Za-z0-9._%+-]/;
const DOMAIN = /[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/y;

/**
 * Addresses are found from their '@' outwards: a regex starting at every position would walk up to
 * 64 local-part characters from each one, which is most of the cost on ordinary prose.
 */
function countEmails(text: string): number {
  let count = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && LOCAL_PART.test(text[start - 1])) start--;
    if (start === at || (start > 0 && LOCAL_PART.test(text[start - 1]))) continue;
    DOMAIN.lastIndex = at + 1;
    if (DOMAIN.test(text)) count++;
  }
  return count;
}
