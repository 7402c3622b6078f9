import { flag, hasFlag } from './index.js';
import { hashSecret, newKeySecret, readKeyFile, updateKeyFile, type KeyRecord } from '../identity/key-file.js';

export function keysCommand(args: string[]): number {
  const [sub, ...rest] = args;
  const file = flag(rest, '--file') ?? process.env.TOLLGATE_KEYS_FILE;
  if (!file) throw new Error('keys: --file (or TOLLGATE_KEYS_FILE) is required');
  switch (sub) {
    case 'create':
      return createKey(file, rest);
    case 'list':
      return listKeys(file, hasFlag(rest, '--json'));
    case 'revoke':
      return revokeKey(file, rest[0]);
    default:
      throw new Error('keys: use create, list or revoke');
  }
}

function createKey(file: string, args: string[]): number {
  const subject = flag(args, '--subject');
  const models = flag(args, '--models');
  if (!subject) throw new Error('keys create: --subject is required');
  if (!models) throw new Error('keys create: --models is required (comma-separated globs, e.g. "gpt-4o*")');
  const expires = flag(args, '--expires');
  const now = Date.now();
  const { id, secret } = newKeySecret();
  const record: KeyRecord = {
    id,
    hash: hashSecret(secret),
    subject,
    models: splitList(models),
    scopes: splitList(flag(args, '--scopes') ?? ''),
    description: flag(args, '--description'),
    created_at: new Date(now).toISOString(),
    expires_at: expires ? new Date(now + parseDuration(expires)).toISOString() : null,
    disabled: false,
  };
  if (record.description === undefined) delete record.description;
  updateKeyFile(file, (keys) => [...keys, record]);
  if (!readKeyFile(file).some((k) => k.id === id)) return failed(`keys create: key ${id} is not in ${file} after writing it; it was not created`);
  if (hasFlag(args, '--json')) {
    process.stdout.write(`${JSON.stringify({ id, key: secret, subject, models: record.models, expires_at: record.expires_at })}\n`);
  } else {
    process.stdout.write(`created key ${id} for ${subject}\n${secret}\nStore this key now: it is not shown again.\n`);
  }
  return 0;
}

function listKeys(file: string, json: boolean): number {
  const keys = readKeyFile(file).map(({ hash: _hash, ...visible }) => visible);
  if (json) {
    process.stdout.write(`${JSON.stringify(keys)}\n`);
    return 0;
  }
  for (const k of keys) {
    const state = k.disabled ? 'revoked' : k.expires_at && Date.parse(k.expires_at) <= Date.now() ? 'expired' : 'active';
    process.stdout.write(`${k.id}  ${state.padEnd(7)}  ${k.subject}  models=${k.models.join(',')}  expires=${k.expires_at ?? 'never'}\n`);
  }
  return 0;
}

function revokeKey(file: string, id: string | undefined): number {
  if (!id || id.startsWith('--')) throw new Error('keys revoke: give the key id');
  updateKeyFile(file, (keys) => {
    const key = keys.find((k) => k.id === id);
    if (!key) throw new Error(`keys revoke: no key with id ${id}`);
    if (!key.disabled) key.revoked_at = new Date().toISOString();
    key.disabled = true;
    return keys;
  });
  // Success is only what the file now says: a revocation that did not land must not look done.
  if (readKeyFile(file).find((k) => k.id === id)?.disabled !== true) return failed(`keys revoke: key ${id} is not revoked in ${file} after writing; it still works`);
  process.stdout.write(`revoked key ${id}\n`);
  return 0;
}

function failed(message: string): number {
  process.stderr.write(`tollgate: ${message}\n`);
  return 1;
}

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** "30d", "12h", "15m", "90s" -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text);
  if (!m) throw new Error(`invalid duration "${text}" (use e.g. 30d, 12h, 15m)`);
  const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
