import { send, startPeer, type PeerProcess } from '../helpers/gateway-peers.js';
import { freePort } from '../helpers/ports.js';
import { buildBundle, opaPath } from '../helpers/opa.js';
import { startTollgate, tempDir, writeFile, type RunningTollgate } from '../helpers/tollgate.js';

const REGO = `package example

default allow := false

allow if input.user == "alice"

greeting := sprintf("hello %s", [input.user]) if input.user

roles := data.example_roles[input.user]

decision := {"allow": allow, "status": 200}
`;
const ENTRYPOINTS = ['example/allow', 'example/greeting', 'example/roles', 'example/decision'];

/** The same Rego served by the real OPA (opa run --server) and by Tollgate's Data API, compared answer by answer. */
describe('OPA Data API compatibility against a real OPA server', () => {
  let tg: RunningTollgate;
  let opa: PeerProcess;
  let opaUrl: string;
  beforeAll(async () => {
    const dir = tempDir('tollgate-opa-');
    writeFile(dir, 'example.rego', REGO);
    writeFile(dir, 'data.json', JSON.stringify({ example_roles: { alice: ['admin'] } }));
    const bundle = buildBundle({ 'example.rego': REGO, 'data.json': JSON.stringify({ example_roles: { alice: ['admin'] } }) }, ENTRYPOINTS);
    tg = await startTollgate({ TOLLGATE_POLICY_BUNDLE: bundle, TOLLGATE_POLICY__ENTRYPOINT: 'example/decision', TOLLGATE_ADAPTERS__DATA_API__ENABLED: 'true' });
    const port = await freePort();
    opa = await startPeer(opaPath(), ['run', '--server', '--addr', `127.0.0.1:${port}`, dir], port);
    opaUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await opa?.stop();
    await tg?.stop();
  });

  const post = (base: string, path: string, body: string) => send(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  test.each([
    ['defined boolean', '/v1/data/example/allow', '{"input": {"user": "alice"}}'],
    ['default value', '/v1/data/example/allow', '{"input": {"user": "bob"}}'],
    ['string', '/v1/data/example/greeting', '{"input": {"user": "bob"}}'],
    ['undefined rule: no result key', '/v1/data/example/greeting', '{"input": {}}'],
    ['value from bundle data', '/v1/data/example/roles', '{"input": {"user": "alice"}}'],
    ['object', '/v1/data/example/decision', '{"input": {"user": "alice"}}'],
    ['no input key', '/v1/data/example/allow', '{}'],
    ['path that is no rule', '/v1/data/example/missing', '{"input": {}}'],
    ['path OPA may know but no entrypoint', '/v1/data/example/not-a-rule', '{"input": {}}'],
    // Names every JavaScript object inherits: a document like any other, undefined here.
    ...['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'example/constructor', '__proto__/polluted', '%5F%5Fproto%5F%5F']
      .map((name) => [`prototype name ${name}`, `/v1/data/${name}`, '{"input": {}}']),
  ])('POST %s: same status and result as OPA', async (_name, path, body) => {
    const [ours, theirs] = await Promise.all([post(tg.url, path, body), post(opaUrl, path, body)]);
    expect(ours.status).toBe(theirs.status);
    const [o, t] = [JSON.parse(ours.text), JSON.parse(theirs.text)];
    expect('result' in o).toBe('result' in t);
    expect(o.result).toEqual(t.result);
    expect(o.decision_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('GET with ?input= answers like OPA', async () => {
    const path = `/v1/data/example/greeting?input=${encodeURIComponent('{"user":"carol"}')}`;
    const [ours, theirs] = await Promise.all([send(`${tg.url}${path}`), send(`${opaUrl}${path}`)]);
    expect(JSON.parse(ours.text).result).toEqual(JSON.parse(theirs.text).result);
    expect(JSON.parse(ours.text).result).toBe('hello carol');
  });

  test('malformed JSON: 400 invalid_parameter, as OPA', async () => {
    const [ours, theirs] = await Promise.all([post(tg.url, '/v1/data/example/allow', '{not json'), post(opaUrl, '/v1/data/example/allow', '{not json')]);
    expect(ours.status).toBe(400);
    expect(theirs.status).toBe(400);
    expect(JSON.parse(ours.text)).toMatchObject({ code: JSON.parse(theirs.text).code, message: expect.any(String) });
  });

  test.each([
    ['a body that is no object', 'POST', '/v1/data/example/allow', '[1]'],
    ['no document path (the whole data document is not served)', 'POST', '/v1/data/', '{}'],
    ['a path that is not valid percent-encoding', 'POST', '/v1/data/example/%E0', '{}'],
    ['GET input that is not JSON', 'GET', '/v1/data/example/allow?input=%7Bnope', undefined],
  ])('%s: 400 invalid_parameter', async (_name, method, path, body) => {
    const res = await send(`${tg.url}${path}`, { method, body });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'invalid_parameter' });
  });

  test('every evaluation is one audit record with result "evaluation", its reason and no identity, never an allow', async () => {
    const before = tg.decisions().length;
    // The caller writes the whole input: here it claims to be alice, and policy answers allow.
    const forged = JSON.parse((await post(tg.url, '/v1/data/example/decision', '{"input": {"user": "alice"}}')).text);
    const undefinedDoc = JSON.parse((await post(tg.url, '/v1/data/example/missing', '{"input": {}}')).text);
    await post(tg.url, '/v1/data/example/allow', '{bad');
    expect(forged.result).toEqual({ allow: true, status: 200 });
    const records = tg.decisions().slice(before);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ decision_id: forged.decision_id, gateway: 'opa_data_api', method: 'POST', path: '/v1/data/example/decision', reason: 'evaluation_defined', subject: null, credential: 'none' });
    expect(records[1]).toMatchObject({ decision_id: undefinedDoc.decision_id, reason: 'evaluation_undefined' });
    expect(records[2]).toMatchObject({ reason: 'request_malformed', error_code: 'ERR_REQUEST_MALFORMED' });
    expect(records.map((r) => r.result)).toEqual(['evaluation', 'evaluation', 'evaluation']);
  });

  test('metrics count no Data API evaluation as an allow', async () => {
    await post(tg.url, '/v1/data/example/allow', '{"input": {"user": "alice"}}');
    const metrics = await tg.app.metrics.registry.metrics();
    expect(metrics).toMatch(/tollgate_decisions_total\{gateway="opa_data_api",result="evaluation",reason="evaluation_defined"\} [1-9]/);
    expect(metrics).not.toMatch(/tollgate_decisions_total\{gateway="opa_data_api",result="allow"/);
  });
});

describe.each([
  ['off by default', {}],
  ['turned off', { TOLLGATE_ADAPTERS__DATA_API__ENABLED: 'false' }],
])('Data API %s', (_name, env: Record<string, string>) => {
  let tg: RunningTollgate;
  beforeAll(async () => {
    tg = await startTollgate(env);
  });
  afterAll(() => tg.stop());

  const forgedIdentity = JSON.stringify({ input: { identity: { authenticated: true, method: 'api_key', subject: 'admin', models: ['*'], scopes: [], groups: [] } } });

  test.each(['GET', 'POST'])('%s /v1/data/... is no endpoint, whatever identity the input claims', async (method) => {
    for (const path of ['/v1/data/tollgate/authz/decision', '/v1/data/tollgate/authz', '/v1/data/constructor']) {
      const res = await send(`${tg.url}${path}`, { method, body: method === 'POST' ? forgedIdentity : undefined });
      expect(res.status).toBe(404);
    }
    expect(tg.decisions()).toEqual([]);
  });

  test('the Kong adapter, which authenticates, still answers at /v1/data/tollgate/kong', async () => {
    const res = await send(`${tg.url}/v1/data/tollgate/kong`, {
      method: 'POST', body: JSON.stringify({ input: { request: { http: { method: 'GET', path: '/v1/models', headers: {} } }, identity: { authenticated: true } } }),
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).result).toMatchObject({ allow: false, status: 401 });
  });
});
