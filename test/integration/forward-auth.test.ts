import path from 'node:path';
import { send } from '../helpers/gateway-peers.js';
import { startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

const IDENTITY = ['x-tollgate-subject', 'x-tollgate-key-id', 'x-tollgate-credential', 'x-tollgate-decision-id', 'x-tollgate-on-behalf-of'];

describe('forward-auth endpoint: the dialects of Traefik, Caddy and nginx', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }]);
    tg = await startTollgate({
      TOLLGATE_KEYS_FILE: file, TOLLGATE_SERVER__MAX_BODY_BYTES: '4096',
      TOLLGATE_ADAPTERS__TRUSTED_PROXIES: '[127.0.0.0/8]', TOLLGATE_ADAPTERS__FORWARD_AUTH__MODEL_HEADER: 'X-Tollgate-Model',
    });
  });
  afterAll(() => tg.stop());
  const auth = () => ({ authorization: `Bearer ${key.secret}` });
  const forwardAuth = (headers: Record<string, string>, init: RequestInit = {}) => send(`${tg.url}/forward-auth`, { ...init, headers });
  const audit = (id: string | null) => tg.decisions().find((d) => d.decision_id === id);

  test.each([
    ['Traefik', { 'x-forwarded-method': 'POST', 'x-forwarded-uri': '/openai/deployments/gpt-4o/chat/completions?api-version=1', 'x-forwarded-host': 'llm.example', 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' }],
    ['Caddy', { 'x-forwarded-method': 'POST', 'x-forwarded-uri': '/openai/deployments/gpt-4o/chat/completions?api-version=1', host: 'llm.example', 'x-forwarded-for': '198.51.100.7' }],
    ['nginx X-Original-URI', { 'x-original-method': 'POST', 'x-original-uri': '/openai/deployments/gpt-4o/chat/completions?api-version=1', 'x-forwarded-host': 'llm.example', 'x-forwarded-for': '198.51.100.7' }],
    ['nginx X-Original-URL (Authelia style)', { 'x-original-method': 'POST', 'x-original-url': 'https://llm.example/openai/deployments/gpt-4o/chat/completions?api-version=1', 'x-forwarded-host': 'llm.example', 'x-forwarded-for': '198.51.100.7' }],
  ])('%s: the original request is what gets authorized', async (_name, headers) => {
    const res = await forwardAuth({ ...auth(), ...headers });
    expect(res.status).toBe(200);
    for (const name of IDENTITY) expect(res.headers.has(name)).toBe(true);
    expect(res.headers.get('x-tollgate-on-behalf-of')).toBe('');
    expect(audit(res.headers.get('x-tollgate-decision-id'))).toMatchObject({
      gateway: 'forward_auth', method: 'POST', path: '/openai/deployments/gpt-4o/chat/completions', model: 'gpt-4o', source_address: '198.51.100.7', result: 'allow',
    });
  });

  test('no original URI: a 403 request_malformed deny, audited', async () => {
    const res = await forwardAuth({ ...auth(), 'x-forwarded-method': 'POST' });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-tollgate-reason')).toBe('request_malformed');
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'request_malformed' } });
    expect(tg.decisions().at(-1)).toMatchObject({ gateway: 'forward_auth', result: 'deny', reason: 'request_malformed', error_code: 'ERR_REQUEST_MALFORMED' });
  });

  test('a body over server.max_body_bytes (Traefik forwardBody) is a 403 deny for request_too_large', async () => {
    const res = await forwardAuth({ ...auth(), 'x-forwarded-uri': '/v1/chat/completions', 'content-type': 'application/json' }, { method: 'POST', body: 'x'.repeat(5000) });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-tollgate-reason')).toBe('request_too_large');
  });

  test('a forwarded body (Traefik forwardBody) gives policy the model', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [] });
    const ok = await forwardAuth({ ...auth(), 'x-forwarded-method': 'POST', 'x-forwarded-uri': '/v1/chat/completions' }, { method: 'POST', body });
    expect(ok.status).toBe(200);
  });

  test.each([
    ['granted model in the configured header', 200, 'gpt-4o', '/v1/chat/completions'],
    ['other model in the configured header', 403, 'o1', '/v1/chat/completions'],
    ['the Azure deployment in the path wins over the header', 403, 'gpt-4o', '/openai/deployments/o1/chat/completions'],
  ])('model header: %s -> %i', async (_name, status, model, uri) => {
    const res = await forwardAuth({ ...auth(), 'x-forwarded-method': 'POST', 'x-forwarded-uri': uri, 'x-tollgate-model': model });
    expect(res.status).toBe(status);
  });

  test('HEAD and GET subrequests work alike (nginx, Traefik default)', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await forwardAuth({ ...auth(), 'x-original-uri': '/v1/models' }, { method });
      expect(res.status).toBe(200);
    }
  });

  test('a credential nobody accepts: 401 with the challenge', async () => {
    const res = await forwardAuth({ 'x-forwarded-uri': '/v1/models', authorization: 'Basic dXNlcjpwYXNz' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('forward-auth X-Forwarded-For trust', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'svc-a', models: ['*'] }]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file });
  });
  afterAll(() => tg.stop());

  test('with no trusted proxies the TCP peer is the client, whatever X-Forwarded-For says; no model header is read', async () => {
    const res = await send(`${tg.url}/forward-auth`, {
      headers: { authorization: `Bearer ${key.secret}`, 'x-forwarded-uri': '/v1/chat/completions', 'x-forwarded-for': '203.0.113.5', 'x-tollgate-model': 'gpt-4o' },
    });
    expect(res.status).toBe(403);
    expect(tg.decisions().at(-1)).toMatchObject({ source_address: '127.0.0.1', reason: 'model_not_allowed', model: null });
  });
});
