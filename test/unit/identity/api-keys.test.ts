import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApiKeyAuthenticator } from '../../../src/identity/api-keys.js';
import { hashSecret, newKeySecret, writeKeyFile, type KeyRecord } from '../../../src/identity/key-file.js';
import type { AuthzRequest } from '../../../src/core/types.js';
import { tempDir, writeKeys } from '../../helpers/tollgate.js';

const NOW = Date.UTC(2026, 5, 1);
const HOUR = 3600e3;
const at = (ms: number) => new Date(ms).toISOString();

/** A key rotated at NOW: `old` is its replaced secret, accepted until NOW + 1h; `current` its new one. */
function rotatedKey(file: string): { record: KeyRecord; old: string; current: string; stranger: string } {
  const [key] = writeKeys(file, [{ subject: 'agent', models: ['*'] }]);
  const current = newKeySecret(key.id).secret;
  const record = { ...key.record, hash: hashSecret(current), previous: { hash: key.record.hash, valid_until: at(NOW + HOUR) }, rotated_at: at(NOW) };
  writeKeyFile(file, [record]);
  return { record, old: key.secret, current, stranger: newKeySecret(key.id).secret };
}

describe('API keys: a rotated key', () => {
  let clock: number;
  let file: string;
  let auth: ApiKeyAuthenticator;
  let key: ReturnType<typeof rotatedKey>;
  beforeEach(() => {
    clock = NOW;
    file = path.join(tempDir(), 'keys.yaml');
    key = rotatedKey(file);
    auth = new ApiKeyAuthenticator({ file, pollIntervalMs: 1000, now: () => clock });
  });

  const outcome = (secret: string): string => {
    try {
      return auth.authenticate({ headers: { 'x-api-key': secret } } as unknown as AuthzRequest)?.keyId === key.record.id ? 'ok' : 'other';
    } catch (err) {
      return (err as { code: string }).code;
    }
  };
  const outcomes = () => ({ current: outcome(key.current), old: outcome(key.old), stranger: outcome(key.stranger) });

  test.each<[string, number, object]>([
    ['during the grace period, both secrets work', NOW + HOUR - 1, { current: 'ok', old: 'ok', stranger: 'ERR_CREDENTIAL_INVALID' }],
    ['when it ends, only the new one', NOW + HOUR, { current: 'ok', old: 'ERR_CREDENTIAL_INVALID', stranger: 'ERR_CREDENTIAL_INVALID' }],
  ])('%s', (_name, now, want) => {
    clock = now;
    expect(outcomes()).toEqual(want);
  });

  test('revocation stops both secrets', () => {
    writeKeyFile(file, [{ ...key.record, disabled: true }]);
    auth.reload();
    expect(outcomes()).toEqual({ current: 'ERR_CREDENTIAL_REVOKED', old: 'ERR_CREDENTIAL_REVOKED', stranger: 'ERR_CREDENTIAL_INVALID' });
  });

  const BROKEN = '  - {"id": "garbage';
  const broken = (record: KeyRecord) => writeFileSync(file, `keys:\n  - ${JSON.stringify(record)}\n${BROKEN}\n`);

  // Checked at `now`: within the original grace period (NOW) for changes that end it, after it for changes that would extend it.
  test.each<[string, (r: KeyRecord) => KeyRecord, number, object]>([
    ['ends the grace period early: applied', (r) => ({ ...r, previous: { hash: r.previous!.hash, valid_until: at(NOW - 1) } }), NOW, { current: 'ok', old: 'ERR_CREDENTIAL_INVALID' }],
    ['drops the old secret: applied', ({ previous: _p, ...r }) => r, NOW, { current: 'ok', old: 'ERR_CREDENTIAL_INVALID' }],
    ['leaves it unchanged: the old secret still works', (r) => r, NOW, { current: 'ok', old: 'ok' }],
    ['extends the grace period: not applied', (r) => ({ ...r, previous: { hash: r.previous!.hash, valid_until: at(NOW + 100 * HOUR) } }), NOW + 2 * HOUR, { current: 'ok', old: 'ERR_CREDENTIAL_INVALID' }],
    ['swaps in another old secret: not applied', (r) => ({ ...r, previous: { hash: hashSecret(key.stranger), valid_until: at(NOW + 100 * HOUR) } }), NOW, { current: 'ok', old: 'ERR_CREDENTIAL_INVALID', stranger: 'ERR_CREDENTIAL_INVALID' }],
  ])('a key file that fails to load and %s', (_name, change, now, want) => {
    broken(change(key.record));
    auth.reload();
    clock = now;
    expect(outcomes()).toMatchObject(want);
  });

  test('a key file that fails to load cannot give an old secret a grace period it did not have', () => {
    const [plain] = writeKeys(file, [{ subject: 'plain', models: ['*'] }]);
    auth.reload();
    const replaced = newKeySecret(plain.id).secret;
    broken({ ...plain.record, previous: { hash: hashSecret(replaced), valid_until: at(NOW + HOUR) } });
    auth.reload();
    expect(() => auth.authenticate({ headers: { 'x-api-key': replaced } } as unknown as AuthzRequest)).toThrow(expect.objectContaining({ code: 'ERR_CREDENTIAL_INVALID' }));
    expect(auth.authenticate({ headers: { 'x-api-key': plain.secret } } as unknown as AuthzRequest)?.keyId).toBe(plain.id);
  });
});
