import type { KeyLimits, KeyRecord } from '../identity/key-file.js';

export type KeyState = 'active' | 'revoked' | 'expired';

export function keyState(key: KeyRecord, now: number): KeyState {
  if (key.disabled) return 'revoked';
  return key.expires_at !== null && Date.parse(key.expires_at) <= now ? 'expired' : 'active';
}

/** A record as every `keys` command's --json prints it: its state added, its hashes left out. */
export function visibleKey(key: KeyRecord, now: number): Record<string, unknown> {
  const { hash: _hash, previous, ...visible } = key;
  return { ...visible, ...(previous && { previous: { valid_until: previous.valid_until } }), state: keyState(key, now) };
}

/** One `keys list` row. */
export function keyRow(key: KeyRecord, now: number): string {
  return [key.id, keyState(key, now).padEnd(7), key.subject, `models=${key.models.join(',')}`, `tools=${key.tools.join(',')}`,
    `limits=${describeLimits(key.limits)}`, `expires=${key.expires_at ?? 'never'}`].join('  ');
}

/** `keys show`: one "name: value" line per field. */
export function keyDetails(key: KeyRecord, now: number): string {
  const fields: Array<[string, string]> = [
    ['id', key.id],
    ['state', keyState(key, now)],
    ['subject', key.subject],
    ['models', key.models.join(', ') || '(none)'],
    ['scopes', key.scopes.join(', ') || '(none)'],
    ['tools', key.tools.join(', ') || '(none)'],
    ['limits', describeLimits(key.limits)],
    ['description', key.description ?? ''],
    ['created_at', key.created_at],
    ['expires_at', key.expires_at ?? 'never'],
    ['revoked_at', key.revoked_at ?? ''],
    ['rotated_at', key.rotated_at ?? ''],
    ['old secret', key.previous ? `${Date.parse(key.previous.valid_until) > now ? 'valid' : 'was valid'} until ${key.previous.valid_until}` : ''],
  ];
  return fields.filter(([, value]) => value !== '').map(([name, value]) => `${`${name}:`.padEnd(13)}${value}\n`).join('');
}

/** "rpm:60,tpm:100000,token_budget:1000000/1mo", or "none". */
function describeLimits(limits: KeyLimits | undefined): string {
  if (!limits) return 'none';
  const parts = [
    limits.rpm === undefined ? '' : `rpm:${limits.rpm}`,
    limits.tpm === undefined ? '' : `tpm:${limits.tpm}`,
    limits.token_budget === undefined ? '' : `token_budget:${limits.token_budget.tokens}/${limits.token_budget.period}`,
  ].filter((p) => p !== '');
  return parts.length === 0 ? 'none' : parts.join(',');
}
