import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApiKeyAuthenticator } from '../../../src/identity/api-keys.js';
import type { KeyRecord } from '../../../src/identity/key-file.js';
import type { AuthzRequest } from '../../../src/core/types.js';
import { tempDir, writeKeys, type TestKey } from '../../helpers/tollgate.js';

const NOW = Date.UTC(2026, 5, 1);
const line = (r: KeyRecord) => `  - ${JSON.stringify(r)}`;
const file = (lines: string[]) => `keys:\n${lines.join('\n')}\n`;
const BROKEN = '  - {"id": "garbage'; // the one bad line that makes the whole file fail

/**
 * A key file that fails to load: what it says against a key (revocation, earlier expiry, removal)
 * still applies; nothing it adds or widens does. Reason per key after the reload.
 */
describe('reloading a key file that fails to load', () => {
  let keys: Record<'a' | 'b' | 'c', TestKey>;
  let auth: ApiKeyAuthenticator;
  let keyFile: string;
  const results: string[] = [];

  beforeEach(() => {
    keyFile = path.join(tempDir(), 'keys.yaml');
    const [a, b, c] = writeKeys(keyFile, [
      { subject: 'a', models: ['gpt-4o*'] },
      { subject: 'b', models: ['gpt-4o*'] },
      { subject: 'c', models: ['gpt-4o*'], expires_at: new Date(NOW + 30 * 86400e3).toISOString() },
    ]);
    keys = { a, b, c };
    auth = new ApiKeyAuthenticator({
      file: keyFile, pollIntervalMs: 1000, now: () => NOW,
      onReload: () => results.push('success'), onReloadError: (err) => results.push((err as { code?: string }).code ?? 'uncoded'),
    });
  });

  const reason = (key: TestKey): string => {
    const req = { headers: { 'x-api-key': key.secret } } as unknown as AuthzRequest;
    try {
      auth.authenticate(req);
      return 'ok';
    } catch (err) {
      return (err as { code: string }).code;
    }
  };
  const reasons = () => ({ a: reason(keys.a), b: reason(keys.b), c: reason(keys.c) });
  const records = () => ({ a: keys.a.record, b: keys.b.record, c: keys.c.record });

  test.each<[string, (r: ReturnType<typeof records>) => string, Record<'a' | 'b' | 'c', string>]>([
    ['a bad line alone: every unchanged key keeps working', (r) => file([line(r.a), BROKEN, line(r.b), line(r.c)]), { a: 'ok', b: 'ok', c: 'ok' }],
    ['revokes a', (r) => file([line({ ...r.a, disabled: true }), BROKEN, line(r.b), line(r.c)]), { a: 'ERR_CREDENTIAL_REVOKED', b: 'ok', c: 'ok' }],
    ['removes b', (r) => file([line(r.a), BROKEN, line(r.c)]), { a: 'ok', b: 'ERR_CREDENTIAL_INVALID', c: 'ok' }],
    ['expires c earlier (in the past)', (r) => file([line(r.a), line(r.b), line({ ...r.c, expires_at: new Date(NOW - 1).toISOString() }), BROKEN]), { a: 'ok', b: 'ok', c: 'ERR_CREDENTIAL_EXPIRED' }],
    ['gives a an expiry (past)', (r) => file([line({ ...r.a, expires_at: '2020-01-01T00:00:00Z' }), line(r.b), line(r.c), BROKEN]), { a: 'ERR_CREDENTIAL_EXPIRED', b: 'ok', c: 'ok' }],
    ['widens a\'s models: a stops', (r) => file([line({ ...r.a, models: ['*'] }), line(r.b), line(r.c), BROKEN]), { a: 'ERR_CREDENTIAL_INVALID', b: 'ok', c: 'ok' }],
    ['widens a\'s tools: a stops', (r) => file([line({ ...r.a, tools: ['*'] }), line(r.b), line(r.c), BROKEN]), { a: 'ERR_CREDENTIAL_INVALID', b: 'ok', c: 'ok' }],
    ['gives b limits: b stops', (r) => file([line(r.a), line({ ...r.b, limits: { rpm: 5 } }), line(r.c), BROKEN]), { a: 'ok', b: 'ERR_CREDENTIAL_INVALID', c: 'ok' }],
    ['renames b\'s subject: b stops', (r) => file([line(r.a), line({ ...r.b, subject: 'admin' }), line(r.c), BROKEN]), { a: 'ok', b: 'ERR_CREDENTIAL_INVALID', c: 'ok' }],
    ['a record for b that is itself invalid', (r) => file([line(r.a), line({ ...r.b, hash: 'md5:x' }), line(r.c)]), { a: 'ok', b: 'ERR_CREDENTIAL_INVALID', c: 'ok' }],
    ['c twice (which one is meant?)', (r) => file([line(r.a), line(r.b), line(r.c), line({ ...r.c, disabled: true }), BROKEN]), { a: 'ok', b: 'ok', c: 'ERR_CREDENTIAL_INVALID' }],
    ['block YAML by hand, one record with an unknown field', (r) => `keys:\n  - ${JSON.stringify({ ...r.a, disabled: true })}\n  - id: ${r.b.id}\n    colour: blue\n  - ${JSON.stringify(r.c)}\n`, { a: 'ERR_CREDENTIAL_REVOKED', b: 'ERR_CREDENTIAL_INVALID', c: 'ok' }],
    ['not YAML at all', () => 'keys: [{{{\n', { a: 'ERR_CREDENTIAL_INVALID', b: 'ERR_CREDENTIAL_INVALID', c: 'ERR_CREDENTIAL_INVALID' }],
    ['a date that is not a date', (r) => file([line({ ...r.a, expires_at: 'tomorrow' }), line(r.b), line(r.c)]), { a: 'ERR_CREDENTIAL_INVALID', b: 'ok', c: 'ok' }],
  ])('the new file %s', (_name, text, expected) => {
    writeFileSync(keyFile, text(records()));
    auth.reload();
    expect(results.at(-1)).toBe('ERR_KEY_FILE_INVALID');
    expect(reasons()).toEqual(expected);
  });

  test('a key added by a broken file waits for a good one; a good file restores everything', () => {
    const r = records();
    const [d] = writeKeys(path.join(tempDir(), 'other.yaml'), [{ subject: 'd', models: ['*'] }]);
    writeFileSync(keyFile, file([line({ ...r.a, disabled: true }), line(r.b), line(r.c), line(d.record), BROKEN]));
    auth.reload();
    expect([reason(d), reason(keys.a)]).toEqual(['ERR_CREDENTIAL_INVALID', 'ERR_CREDENTIAL_REVOKED']);
    writeFileSync(keyFile, file([line(r.a), line(r.b), line(r.c), line(d.record)]));
    auth.reload();
    expect(results.at(-1)).toBe('success');
    expect([reason(d), reason(keys.a), reason(keys.b)]).toEqual(['ok', 'ok', 'ok']);
  });

  test('a later expiry in a broken file does not extend a key', () => {
    const r = records();
    writeFileSync(keyFile, file([line(r.a), line(r.b), line({ ...r.c, expires_at: null }), BROKEN]));
    auth.reload();
    const p = auth.authenticate({ headers: { 'x-api-key': keys.c.secret } } as unknown as AuthzRequest);
    expect(p?.expiresAt).toBe(Math.floor(Date.parse(r.c.expires_at as string) / 1000));
  });
});
