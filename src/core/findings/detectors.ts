/**
 * Detectors of sensitive text, chosen for precision: each secret pattern is a shape issuers fixed
 * (prefixes, lengths, OpenAI's embedded "T3BlbkFJ"), so ordinary prose and identifiers do not match.
 * Every quantifier is bounded, so a hostile prompt costs at most a constant per position.
 */
export interface Detector {
  /** `secret.*` (the default policy denies model calls carrying one) or `pii.*` (a fact for policy). */
  kind: string;
  pattern: RegExp;
  /** A further check of a match (payment cards: Luhn and a card network's prefix). */
  accept?: (match: string) => boolean;
}

const B = '(?<![A-Za-z0-9_-])';
const E = '(?![A-Za-z0-9_-])';
const re = (source: string): RegExp => new RegExp(source, 'g');

export const DETECTORS: readonly Detector[] = [
  { kind: 'secret.private_key', pattern: re('-----BEGIN (?:[A-Z0-9]{1,16} ){0,4}PRIVATE KEY(?: BLOCK)?-----') },
  { kind: 'secret.aws_access_key', pattern: re(`${B}(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}${E}`) },
  { kind: 'secret.tollgate_key', pattern: re(`${B}tg_[a-z0-9]{12}_[A-Za-z0-9_-]{43}${E}`) },
  { kind: 'secret.openai_key', pattern: re(`${B}sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,80}T3BlbkFJ[A-Za-z0-9_-]{20,80}${E}`) },
  { kind: 'secret.anthropic_key', pattern: re(`${B}sk-ant-(?:api|admin|oat)[0-9]{2}-[A-Za-z0-9_-]{32,200}${E}`) },
  { kind: 'secret.github_token', pattern: re(`${B}(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})${E}`) },
  { kind: 'secret.slack_token', pattern: re(`${B}xox[baprs]-[0-9]{8,13}-[A-Za-z0-9-]{8,120}${E}`) },
  { kind: 'secret.google_api_key', pattern: re(`${B}AIza[0-9A-Za-z_-]{35}${E}`) },
  { kind: 'secret.stripe_key', pattern: re(`${B}(?:sk|rk)_live_[0-9A-Za-z]{24,99}${E}`) },
  { kind: 'secret.jwt', pattern: re(`${B}eyJ[A-Za-z0-9_-]{8,2048}\\.eyJ[A-Za-z0-9_-]{8,16384}\\.[A-Za-z0-9_-]{0,2048}${E}`) },
  { kind: 'pii.email', pattern: re('(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){0,8}\\.[A-Za-z]{2,24}(?![A-Za-z0-9-])') },
  { kind: 'pii.payment_card', pattern: re('(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])'), accept: isPaymentCard },
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
