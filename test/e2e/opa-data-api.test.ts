import { freePort, send, startPeer, type PeerProcess } from '../helpers/gateway-peers.js';
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
    tg = await startTollgate({ TOLLGATE_POLICY_BUNDLE: bundle, TOLLGATE_POLICY__ENTRYPOINT: 'example/decision' });
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

  test('every evaluation is one audit record: result, reason, no identity', async () => {
    const before = tg.decisions().length;
    const allowed = JSON.parse((await post(tg.url, '/v1/data/example/decision', '{"input": {"user": "alice"}}')).text);
    const undefinedDoc = JSON.parse((await post(tg.url, '/v1/data/example/missing', '{"input": {}}')).text);
    await post(tg.url, '/v1/data/example/allow', '{bad');
    const records = tg.decisions().slice(before);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ decision_id: allowed.decision_id, gateway: 'opa_data_api', method: 'POST', path: '/v1/data/example/decision', result: 'allow', reason: 'evaluated', subject: null });
    expect(records[1]).toMatchObject({ decision_id: undefinedDoc.decision_id, result: 'deny', reason: 'undefined' });
    expect(records[2]).toMatchObject({ result: 'deny', reason: 'request_malformed', error_code: 'ERR_REQUEST_MALFORMED' });
  });
});

describe('Data API can be turned off', () => {
  let tg: RunningTollgate;
  beforeAll(async () => {
    tg = await startTollgate({ TOLLGATE_ADAPTERS__DATA_API__ENABLED: 'false' });
  });
  afterAll(() => tg.stop());

  test('then /v1/data/... is no endpoint', async () => {
    expect((await send(`${tg.url}/v1/data/tollgate/authz/decision`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
