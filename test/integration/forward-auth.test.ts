import path from 'node:path';
import { rawRequest } from '../helpers/forward-auth-cases.js';
import { configProblems } from '../helpers/config.js';
import { send } from '../helpers/gateway-peers.js';
import { startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

/** The upstream here runs what the path names (no LiteLLM body fallbacks), so a bodiless Azure call can be allowed. */
const NO_FALLBACKS = { TOLLGATE_UPSTREAM__BODY_FALLBACKS: 'false' };
const IDENTITY = ['x-tollgate-subject', 'x-tollgate-key-id', 'x-tollgate-credential', 'x-tollgate-decision-id', 'x-tollgate-on-behalf-of'];

describe('forward-auth endpoint: the dialects of Traefik, Caddy and nginx', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }]);
    tg = await startTollgate({
      TOLLGATE_KEYS_FILE: file, TOLLGATE_SERVER__MAX_BODY_BYTES: '4096', ...NO_FALLBACKS,
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
  ])('%s headers under the default dialect: the original request is what gets authorized', async (_name, headers) => {
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
    const res = await forwardAuth({ ...auth(), 'x-forwarded-method': 'POST', 'x-forwarded-uri': '/v1/chat/completions', 'content-type': 'application/json' }, { method: 'POST', body: 'x'.repeat(5000) });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-tollgate-reason')).toBe('request_too_large');
  });

  test('a forwarded body (Traefik forwardBody) gives policy the model', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [] });
    const ok = await forwardAuth({ ...auth(), 'x-forwarded-method': 'POST', 'x-forwarded-uri': '/v1/chat/completions', 'content-type': 'application/json' }, { method: 'POST', body });
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

  test('HEAD and GET subrequests alike: the subrequest method is never read as the original one', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await forwardAuth({ ...auth(), 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/v1/models' }, { method });
      expect(res.status).toBe(200);
    }
  });

  test('a credential nobody accepts: 401 with the challenge', async () => {
    const res = await forwardAuth({ 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/v1/models', authorization: 'Basic dXNlcjpwYXNz' });
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
      headers: { authorization: `Bearer ${key.secret}`, 'x-forwarded-method': 'POST', 'x-forwarded-uri': '/v1/chat/completions', 'x-forwarded-for': '203.0.113.5', 'x-tollgate-model': 'gpt-4o' },
    });
    // The key is granted '*', so the bodiless call is allowed: what matters is who and what was recorded.
    expect(res.status).toBe(200);
    expect(tg.decisions().at(-1)).toMatchObject({ source_address: '127.0.0.1', method: 'POST', path: '/v1/chat/completions', model: null });
  });
});

/** The request the proxy really forwards (granted model) and the one a client would rather have audited. */
const REAL = { uri: '/openai/deployments/gpt-4o/chat/completions?api-version=1', method: 'POST' };
const FORGED = { uri: '/v1/models', method: 'GET' };
const original = (uri = REAL.uri, method = REAL.method) => ['X-Original-URI', uri, 'X-Original-Method', method];
const forwarded = (uri = REAL.uri, method = REAL.method) => ['X-Forwarded-Uri', uri, 'X-Forwarded-Method', method];

type Outcome = 'allow' | 'malformed';
/**
 * [case, header lines, outcome under the nginx dialect, outcome under traefik and caddy]. Only the
 * dialect's own pair is read; the other family, when present at all, must repeat it exactly.
 */
const TABLE: Array<[string, string[], Outcome, Outcome]> = [
  ['X-Forwarded pair only', forwarded(), 'malformed', 'allow'],
  ['X-Original pair only', original(), 'allow', 'malformed'],
  ['X-Original-URL (absolute) with X-Original-Method', ['X-Original-URL', `https://llm.example${REAL.uri}`, 'X-Original-Method', 'POST'], 'allow', 'malformed'],
  ['X-Original-URI and -URL agreeing', [...original(), 'X-Original-URL', `http://llm.example${REAL.uri}`], 'allow', 'malformed'],
  ['both families naming the same request', [...original(), ...forwarded()], 'allow', 'allow'],
  ['X-Original-URI and -URL disagreeing', [...original(), 'X-Original-URL', `http://llm.example${FORGED.uri}`, ...forwarded()], 'malformed', 'malformed'],
  ['forged X-Forwarded pair beside the real X-Original pair', [...original(), ...forwarded(FORGED.uri, FORGED.method)], 'malformed', 'malformed'],
  ['forged X-Original pair beside the real X-Forwarded pair', [...forwarded(), ...original(FORGED.uri, FORGED.method)], 'malformed', 'malformed'],
  ['forged X-Forwarded-Method only', [...original(), ...forwarded(REAL.uri, FORGED.method)], 'malformed', 'malformed'],
  ['forged X-Original-URI only', [...forwarded(), ...original(FORGED.uri)], 'malformed', 'malformed'],
  // A proxy that sets only the URI leaves the method to the client: the half pair is refused.
  ['real X-Original-URI alone, forged X-Forwarded pair', ['X-Original-URI', REAL.uri, ...forwarded(REAL.uri, FORGED.method)], 'malformed', 'malformed'],
  ['real X-Forwarded-Uri alone, forged X-Original pair', ['X-Forwarded-Uri', REAL.uri, ...original(REAL.uri, FORGED.method)], 'malformed', 'malformed'],
  ['the other family half present, agreeing', [...original(), 'X-Forwarded-Uri', REAL.uri], 'malformed', 'malformed'],
  ['no method header', ['X-Original-URI', REAL.uri, 'X-Forwarded-Uri', REAL.uri], 'malformed', 'malformed'],
  ['no URI header', ['X-Original-Method', 'POST', 'X-Forwarded-Method', 'POST'], 'malformed', 'malformed'],
  ['nothing', [], 'malformed', 'malformed'],
  ['repeated URI header, same value', [...original(), ...forwarded(), 'X-Forwarded-Uri', REAL.uri, 'X-Original-URI', REAL.uri], 'malformed', 'malformed'],
  ['repeated method header, same value', [...original(), ...forwarded(), 'X-Forwarded-Method', 'POST', 'X-Original-Method', 'POST'], 'malformed', 'malformed'],
  ['repeated under two spellings', [...original(), ...forwarded(), 'x-forwarded-uri', REAL.uri, 'X-ORIGINAL-URI', REAL.uri], 'malformed', 'malformed'],
  ['lower-case names', original().concat(forwarded()).map((v, i) => (i % 2 === 0 ? v.toLowerCase() : v)), 'allow', 'allow'],
  ['upper-case names', original().concat(forwarded()).map((v, i) => (i % 2 === 0 ? v.toUpperCase() : v)), 'allow', 'allow'],
  ['comma-joined URIs', [...original(`${REAL.uri}, ${FORGED.uri}`), ...forwarded(`${REAL.uri}, ${FORGED.uri}`)], 'malformed', 'malformed'],
  ['comma-joined methods', [...original(REAL.uri, 'POST, GET'), ...forwarded(REAL.uri, 'POST,GET')], 'malformed', 'malformed'],
  ['empty URI values', [...original(''), ...forwarded('')], 'malformed', 'malformed'],
  ['empty method values', [...original(REAL.uri, ''), ...forwarded(REAL.uri, '')], 'malformed', 'malformed'],
  ['empty other-family values', [...original(), 'X-Forwarded-Uri', '', 'X-Forwarded-Method', ''], 'malformed', 'malformed'],
  ['lower-case method', [...original(REAL.uri, 'post'), ...forwarded(REAL.uri, 'post')], 'malformed', 'malformed'],
  ['target that is not origin form', [...original(`http://llm.example${REAL.uri}`), ...forwarded(`http://llm.example${REAL.uri}`)], 'malformed', 'malformed'],
  ['target with whitespace', [...original(`${REAL.uri} ${FORGED.uri}`), ...forwarded(`${REAL.uri} ${FORGED.uri}`)], 'malformed', 'malformed'],
  ['X-Original-URL that is not absolute', ['X-Original-URL', REAL.uri, 'X-Original-Method', 'POST'], 'malformed', 'malformed'],
  ['underscore names are other headers', [...original(), ...forwarded(), 'X_Forwarded_Uri', FORGED.uri, 'X_Original_Method', FORGED.method], 'allow', 'allow'],
];

describe.each(['nginx', 'traefik', 'caddy'])('forward-auth dialect %s: which headers name the original request', (dialect) => {
  let tg: RunningTollgate;
  let key: TestKey;
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }]);
    // caddy is the default: its Tollgate is started with no dialect setting at all.
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file, ...NO_FALLBACKS, ...(dialect === 'caddy' ? {} : { TOLLGATE_ADAPTERS__FORWARD_AUTH__DIALECT: dialect }) });
  });
  afterAll(() => tg.stop());

  test.each(TABLE)('%s', async (_name, headers, nginx, others) => {
    const res = await rawRequest(`${tg.url}/forward-auth`, 'GET', ['Authorization', `Bearer ${key.secret}`, ...headers]);
    const record = tg.decisions().at(-1);
    if ((dialect === 'nginx' ? nginx : others) === 'allow') {
      expect(res.status).toBe(200);
      expect(record).toMatchObject({ decision_id: res.headers['x-tollgate-decision-id'], result: 'allow', method: REAL.method, path: REAL.uri.split('?')[0] });
    } else {
      expect(res.status).toBe(403);
      expect(res.headers['x-tollgate-reason']).toBe('request_malformed');
      expect(record).toMatchObject({ result: 'deny', reason: 'request_malformed' });
    }
  });
});

test.each(['auto', 'NGINX', 'envoy', ''])('adapters.forward_auth.dialect=%j is refused: only the three proxies', (value) => {
  expect(configProblems({ TOLLGATE_ADAPTERS__FORWARD_AUTH__DIALECT: value }).join('\n')).toContain('adapters.forward_auth.dialect');
});
