import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { integrationFile, renderConfig, requireBinary, send, startEchoUpstream, startPeer, type EchoUpstream, type PeerProcess } from '../helpers/gateway-peers.js';
import { freePort } from '../helpers/ports.js';
import { startForwardAuthTollgate } from '../helpers/forward-auth-cases.js';
import { tempDir, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

const standIn = path.join(packageRoot(), 'test', 'e2e', 'kong-openresty');
const chatBody = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });

/**
 * Kong cannot be installed here, its runtime can: integrations/kong/tollgate-pre-function.lua runs
 * unchanged (but for Tollgate's address) in the access phase of nginx's Lua module, the OpenResty
 * core Kong runs on, behind stand-ins for the Kong PDK calls it makes and for lua-resty-http
 * (test/e2e/kong-openresty). What it proves: the Lua runs on LuaJIT and the ngx API, and what it
 * sends Tollgate and does with the answer.
 */
describe('Kong OSS pre-function (stand-in: Kong PDK shim in real nginx + ngx_lua), integrations/kong/tollgate-pre-function.lua', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  let limitedKey: TestKey;
  let upstream: EchoUpstream;
  let nginx: PeerProcess;
  let proxyUrl: string;
  beforeAll(async () => {
    const binary = requireBinary('nginx');
    // svc-a has a declared request limit, so its allows carry x-ratelimit-* for the client.
    const started = await startForwardAuthTollgate(undefined, true, { TOLLGATE_LIMITS__RULES: '[{name: svc-a, match: {subject: svc-a}, rpm: 1000}]' });
    ({ tg, key } = started);
    limitedKey = started.limitedKey!;
    upstream = await startEchoUpstream();
    const port = await freePort();
    const dir = tempDir('tollgate-kong-');
    const lua = path.join(dir, 'tollgate-pre-function.lua');
    writeFileSync(lua, renderConfig(integrationFile('kong', 'tollgate-pre-function.lua'), [['http://127.0.0.1:8181/', `${tg.url}/`]]));
    const conf = renderConfig(path.join(standIn, 'nginx.conf'), [
      ['STAND_IN_DIR', standIn], ['PRE_FUNCTION', lua],
      ['listen 127.0.0.1:8000;', `listen 127.0.0.1:${port};`], ['proxy_pass http://127.0.0.1:4000;', `proxy_pass http://127.0.0.1:${upstream.port};`],
      ['http {', ['http {', ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${path.join(dir, t)};`)].join('\n\t')],
    ]);
    const file = path.join(dir, 'nginx.conf');
    writeFileSync(file, conf);
    nginx = await startPeer(binary, ['-p', dir, '-c', file, '-e', path.join(dir, 'error.log'), '-g', `daemon off; master_process off; pid ${path.join(dir, 'nginx.pid')};`], port);
    proxyUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await nginx?.stop();
    await upstream?.close();
    await tg?.stop();
  });

  const call = (headers: Record<string, string>, model = 'gpt-4o') => send(`${proxyUrl}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: chatBody(model),
  });

  test('allowed: the upstream gets the request and body with Tollgate identity headers; forged ones are replaced', async () => {
    const before = upstream.seen.length;
    const res = await call({
      authorization: `Bearer ${key.secret}`, 'x-tollgate-subject': 'admin', 'x-tollgate-key-id': 'forged', 'x-tollgate-credential': 'jwt', 'x-tollgate-decision-id': 'not-a-decision',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit-requests')).toBe('1000');
    expect(upstream.seen.length).toBe(before + 1);
    const seen = upstream.seen.at(-1)!;
    expect(seen).toMatchObject({ method: 'POST', url: '/v1/chat/completions', body: chatBody('gpt-4o') });
    expect(seen.headers).toMatchObject({ 'x-tollgate-subject': 'svc-a', 'x-tollgate-key-id': key.id, 'x-tollgate-credential': 'api_key' });
    expect(seen.headers['x-tollgate-decision-id']).not.toBe('not-a-decision');
    expect(seen.headers['x-tollgate-on-behalf-of'] ?? '').toBe('');
    // Tollgate decided on what Kong forwarded: the model from the body, the client's address.
    expect(tg.decisions().find((d) => d.decision_id === seen.headers['x-tollgate-decision-id'])).toMatchObject({
      gateway: 'native', result: 'allow', method: 'POST', path: '/v1/chat/completions', model: 'gpt-4o', source_address: '127.0.0.1',
    });
  });

  test.each([
    ['model not granted (read from the body)', () => ({ authorization: `Bearer ${key.secret}` }), 'o1', 403, 'model_not_allowed'],
    ['no credential', () => ({}), 'gpt-4o', 401, 'unauthenticated'],
    ['unknown key', () => ({ authorization: 'Bearer tg_nope_nope' }), 'gpt-4o', 401, 'credential_invalid'],
    ['key over its limit', () => ({ authorization: `Bearer ${limitedKey.secret}` }), 'gpt-4o', 429, 'rate_limited'],
  ])('%s: Tollgate\'s status, body and headers, the upstream sees nothing', async (_name, headers, model, status, reason) => {
    const before = upstream.seen.length;
    const res = await call({ ...headers(), 'x-tollgate-subject': 'admin' }, model);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: reason } });
    if (status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="tollgate"/);
    if (status === 429) expect(res.headers.get('retry-after')).toBe('7');
    expect(upstream.seen.length).toBe(before);
  });

  test('Tollgate down: 503 and the upstream sees nothing', async () => {
    await tg.stop();
    const before = upstream.seen.length;
    const res = await call({ authorization: `Bearer ${key.secret}` });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toEqual({ message: 'authorization unavailable' });
    expect(upstream.seen.length).toBe(before);
  });
});
