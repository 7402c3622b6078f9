import path from 'node:path';
import { EnvoyHttpEmulator } from '../helpers/envoy-http-emulator.js';
import { startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

const chat = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });

describe('Envoy HTTP ext_authz, as integrations/envoy/envoy-http.yaml configures Envoy', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  let envoy: EnvoyHttpEmulator;
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }]);
    tg = await startTollgate({
      TOLLGATE_KEYS_FILE: file, TOLLGATE_ADAPTERS__TRUSTED_PROXIES: '[127.0.0.1]', TOLLGATE_UPSTREAM__REMOVE_CREDENTIAL_HEADERS: 'true',
      TOLLGATE_SERVER__MAX_BODY_BYTES: '65536',
    });
    envoy = new EnvoyHttpEmulator(Number(new URL(tg.url).port));
  });
  afterAll(() => tg.stop());

  test('the shipped config uses the default path prefix', () => {
    expect(envoy.pathPrefix).toBe(tg.app.config.adapters.envoy_http.path_prefix);
  });

  test('allowed: identity headers go upstream, the caller key is removed, forged identity headers overwritten', async () => {
    const out = await envoy.check({
      method: 'POST', path: '/v1/chat/completions?trace=1', body: chat('gpt-4o-mini'), clientAddress: '198.51.100.4',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', 'x-tollgate-subject': 'admin' },
    });
    if (!out.allowed) throw new Error(`denied: ${JSON.stringify(out)}`);
    expect(out.upstreamHeaders).toEqual({
      'x-tollgate-subject': 'svc-a', 'x-tollgate-key-id': key.id, 'x-tollgate-credential': 'api_key',
      'x-tollgate-decision-id': expect.any(String), 'x-tollgate-on-behalf-of': '',
    });
    expect(out.removeHeaders).toEqual(['authorization']);
    expect(tg.decisions().find((d) => d.decision_id === out.upstreamHeaders['x-tollgate-decision-id'])).toMatchObject({
      gateway: 'envoy_http', method: 'POST', path: '/v1/chat/completions', model: 'gpt-4o-mini', source_address: '198.51.100.4', result: 'allow',
    });
  });

  test('x-api-key (listed in allowed_headers) and the Azure deployment path', async () => {
    const out = await envoy.check({ method: 'POST', path: '/openai/deployments/gpt-4o/chat/completions?api-version=1', headers: { 'x-api-key': key.secret }, body: '{"messages":[]}' });
    expect(out.allowed).toBe(true);
  });

  test('a deployment path without the body may hide fallback models the upstream runs: model_unknown', async () => {
    const out = await envoy.check({ method: 'POST', path: '/openai/deployments/gpt-4o/chat/completions', headers: { 'x-api-key': key.secret } });
    expect(out).toMatchObject({ allowed: false, status: 403 });
    expect(tg.decisions().at(-1)).toMatchObject({ reason: 'model_unknown' });
  });

  test.each([
    ['model not granted', 403, 'model_not_allowed', () => ({ authorization: `Bearer ${key.secret}` })],
    ['no credential', 401, 'unauthenticated', () => ({})],
    ['unknown key', 401, 'credential_invalid', () => ({ authorization: 'Bearer tg_x_y' })],
  ])('%s: %i %s with the JSON reason for the client', async (_name, status, reason, headers) => {
    const out = await envoy.check({ method: 'POST', path: '/v1/chat/completions', headers: headers(), body: chat('o1') });
    if (out.allowed) throw new Error('allowed');
    expect(out.status).toBe(status);
    expect(out.clientHeaders['content-type']).toBe('application/json');
    if (status === 401) expect(out.clientHeaders['www-authenticate']).toMatch(/^Bearer realm="tollgate"/);
    expect(JSON.parse(out.body)).toMatchObject({ error: { code: reason } });
  });

  test('a body over server.max_body_bytes is a 413 deny, audited', async () => {
    const out = await envoy.check({ method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${key.secret}` }, body: 'x'.repeat(70_000) });
    expect(out).toMatchObject({ allowed: false, status: 413 });
    expect(tg.decisions().at(-1)).toMatchObject({ gateway: 'envoy_http', result: 'deny', reason: 'request_too_large' });
  });

  test('a model call whose body the upstream cannot read one way only is a 400 body_unreadable', async () => {
    const out = await envoy.check({ method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${key.secret}` }, body: '{"model": "gpt-4o"' });
    expect(out).toMatchObject({ allowed: false, status: 400 });
    expect(tg.decisions().at(-1)).toMatchObject({ result: 'deny', reason: 'body_unreadable' });
  });
});

describe('Envoy HTTP path prefix is configurable', () => {
  let tg: RunningTollgate;
  beforeAll(async () => {
    tg = await startTollgate({ TOLLGATE_ADAPTERS__ENVOY_HTTP__PATH_PREFIX: '/authz/envoy' });
  });
  afterAll(() => tg.stop());

  test('checks arrive under the configured prefix; the default prefix is then no check endpoint', async () => {
    const checked = await fetch(`${tg.url}/authz/envoy/v1/models`);
    expect(checked.status).toBe(401);
    expect(tg.decisions().at(-1)).toMatchObject({ gateway: 'envoy_http', path: '/v1/models' });
    expect((await fetch(`${tg.url}/ext_authz/v1/models`)).status).toBe(404);
  });
});
