import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '../helpers/wait.js';
import { postJson, startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';
import { hashSecret, newKeySecret, readKeyFile, writeKeyFile } from '../../src/identity/key-file.js';

const chat = (model: string, headers: Record<string, string>) => ({
  method: 'POST', path: '/v1/chat/completions', headers, body: { model, messages: [{ role: 'user', content: 'hi' }] },
});

describe('native authorize API with API keys and the default policy', () => {
  let tg: RunningTollgate;
  let keyFile: string;
  let good: TestKey, revoked: TestKey, expired: TestKey;
  beforeAll(async () => {
    keyFile = path.join(tempDir(), 'keys.yaml');
    [good, revoked, expired] = writeKeys(keyFile, [
      { subject: 'svc-a', models: ['gpt-4o*'] },
      { subject: 'svc-b', models: ['*'], disabled: true },
      { subject: 'svc-c', models: ['*'], expires_at: '2020-01-01T00:00:00.000Z' },
    ]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: keyFile, TOLLGATE_KEYS__POLL_INTERVAL_MS: '50' });
  });
  afterAll(() => tg.stop());
  const authorize = (body: unknown) => postJson(`${tg.url}/v1/authorize`, body);

  test('allowed model: identity headers for upstream, identity in the answer', async () => {
    const res = await authorize(chat('gpt-4o-mini', { authorization: `Bearer ${good.secret}` }));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ allow: true, status: 200, reason: 'allowed', identity: { subject: 'svc-a', key_id: good.id, credential: 'api_key' } });
    expect(res.json.headers).toEqual({
      'x-tollgate-subject': 'svc-a', 'x-tollgate-key-id': good.id, 'x-tollgate-credential': 'api_key',
      'x-tollgate-decision-id': res.json.decision_id, 'x-tollgate-on-behalf-of': '',
    });
  });

  test.each([
    ['Authorization: Bearer', (s: string) => ({ authorization: `Bearer ${s}` })],
    ['x-api-key (Anthropic)', (s: string) => ({ 'x-api-key': s })],
    ['api-key (Azure)', (s: string) => ({ 'api-key': s })],
  ])('key accepted from %s', async (_name, headers) => {
    const res = await authorize(chat('gpt-4o', headers(good.secret)));
    expect(res.json).toMatchObject({ allow: true, identity: { key_id: good.id } });
  });

  test('denied model is 403 model_not_allowed', async () => {
    const res = await authorize(chat('o1', { 'x-api-key': good.secret }));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ allow: false, status: 403, reason: 'model_not_allowed' });
    expect(JSON.parse(res.json.body)).toMatchObject({ error: { code: 'model_not_allowed', decision_id: res.json.decision_id } });
  });

  test('no credential is 401 unauthenticated with a challenge', async () => {
    const res = await authorize(chat('gpt-4o', {}));
    expect(res.json).toMatchObject({ allow: false, status: 401, reason: 'unauthenticated', response_headers: { 'www-authenticate': expect.stringMatching(/^Bearer/) } });
  });

  test.each([
    ['wrong secret for a real id', () => ({ authorization: `Bearer ${good.secret.slice(0, -4)}AAAA` }), 'credential_invalid'],
    ['unknown format', () => ({ 'x-api-key': 'sk-not-ours' }), 'credential_invalid'],
    ['revoked key', () => ({ authorization: `Bearer ${revoked.secret}` }), 'credential_revoked'],
    ['expired key', () => ({ authorization: `Bearer ${expired.secret}` }), 'credential_expired'],
    ['Basic auth nobody accepts', () => ({ authorization: 'Basic dXNlcjpwYXNz' }), 'credential_invalid'],
    ['oversized credential', () => ({ 'x-api-key': 'x'.repeat(9000) }), 'credential_too_large'],
  ])('%s -> 401 and never anonymous', async (_name, headers, reason) => {
    const res = await authorize(chat('gpt-4o', headers()));
    expect(res.json).toMatchObject({ allow: false, status: 401, reason, identity: null });
  });

  test('client-sent identity headers are never trusted: removed upstream and overwritten', async () => {
    const res = await authorize(chat('gpt-4o', { authorization: `Bearer ${good.secret}`, 'X-Tollgate-Subject': 'admin', 'x-tollgate-key-id': 'forged' }));
    expect(res.json.headers['x-tollgate-subject']).toBe('svc-a');
    expect(res.json.remove_headers).toEqual(expect.arrayContaining(['x-tollgate-subject', 'x-tollgate-key-id']));
  });

  test('malformed requests are 400 with an error code, and audited', async () => {
    for (const body of ['{not json', '[]', JSON.stringify({ method: 'POST' }), JSON.stringify({ method: 'POST', path: '/x', headers: { a: 1 } })]) {
      const res = await postJson(`${tg.url}/v1/authorize`, body);
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'request_malformed' });
      expect(tg.decisions().some((d) => d.decision_id === res.json.error.decision_id && d.result === 'deny')).toBe(true);
    }
  });

  test('oversized body is 413', async () => {
    const res = await postJson(`${tg.url}/v1/authorize`, chat('gpt-4o', { 'x-api-key': good.secret, pad: 'x'.repeat(1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('request_too_large');
  });

  test('huge request headers are refused before any handler (431)', async () => {
    const res = await fetch(`${tg.url}/v1/authorize`, { method: 'POST', headers: { 'x-big': 'y'.repeat(64 * 1024) }, body: '{}' });
    expect(res.status).toBe(431);
  });

  test('decision records carry the facts and never a secret', async () => {
    const res = await authorize({ ...chat('gpt-4o', { authorization: `Bearer ${good.secret}` }), body: { model: 'gpt-4o', tools: [{ type: 'function', function: { name: 'lookup' } }] } });
    const record = tg.decisions().find((d) => d.decision_id === res.json.decision_id);
    expect(record).toMatchObject({
      gateway: 'native', method: 'POST', path: '/v1/chat/completions', subject: 'svc-a', credential: 'api_key', key_id: good.id,
      policy_revision: expect.stringMatching(/^[0-9a-f]{12}$/), result: 'allow', status: 200, reason: 'allowed', model: 'gpt-4o', tools: ['lookup'],
      duration_ms: expect.any(Number), timestamp: expect.any(String),
    });
    for (const k of [good, revoked, expired]) expect(tg.rawLogs()).not.toContain(k.secret);
  });

  test('key file changes apply without a restart; a file with a broken line keeps the keys it still holds', async () => {
    const { id, secret } = newKeySecret();
    const records = readKeyFile(keyFile);
    writeKeyFile(keyFile, [...records, { id, hash: hashSecret(secret), subject: 'svc-new', models: ['gpt-4o'], scopes: [], created_at: new Date().toISOString(), expires_at: null, disabled: false }]);
    await waitFor(async () => (await authorize(chat('gpt-4o', { 'x-api-key': secret }))).json.allow === true);

    const tmp = `${keyFile}.broken`;
    writeFileSync(tmp, `${readFileSync(keyFile, 'utf8')}  - {id: nope\n`);
    renameSync(tmp, keyFile);
    await waitFor(() => tg.logs.some((l) => String(l.message).includes('API key file reload failed')));
    expect((await authorize(chat('gpt-4o', { 'x-api-key': secret }))).json.allow).toBe(true);
    expect(readFileSync(keyFile, 'utf8')).toContain('nope');
  });
});
