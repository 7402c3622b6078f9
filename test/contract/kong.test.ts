import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KONG_DATA_PATH } from '../../src/adapters/kong/route.js';
import { decodeKongInput } from '../../src/adapters/kong/decode.js';
import { serverSchema } from '../../src/config/schema.js';
import { integrationFile } from '../helpers/gateway-peers.js';
import { postJson, startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

const kongYaml = parseYaml(readFileSync(integrationFile('kong', 'kong.yaml'), 'utf8'));
const opaPlugin = kongYaml.services[0].plugins.find((p: { name: string }) => p.name === 'opa').config;
const chatBody = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });

/** The input document Kong's opa plugin posts, with the include_* flags of integrations/kong/kong.yaml. */
function kongInput(http: Record<string, unknown>, extra: Record<string, unknown> = {}): { input: Record<string, unknown> } {
  return {
    input: {
      request: { http: { host: 'llm.example', port: '8000', tls: {}, method: 'POST', scheme: 'http', path: '/v1/chat/completions', querystring: {}, ...http } },
      client_ip: '198.51.100.20',
      ...(opaPlugin.include_service_in_opa_input ? { service: { id: 's1', name: 'llm', host: '127.0.0.1', port: 4000, protocol: 'http' } } : {}),
      ...(opaPlugin.include_route_in_opa_input ? { route: { id: 'r1', name: 'llm', paths: ['/v1/'] } } : {}),
      ...(opaPlugin.include_consumer_in_opa_input ? { consumer: { id: 'c1', username: 'team-a' } } : {}),
      ...extra,
    },
  };
}

describe('Kong OPA plugin contract (POST /v1/data/tollgate/kong)', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file });
  });
  afterAll(() => tg.stop());
  const bearer = () => `Bearer ${key.secret}`;

  test('integrations/kong/kong.yaml points the plugin at this endpoint on the default port', () => {
    expect(opaPlugin).toMatchObject({ opa_protocol: 'http', opa_path: KONG_DATA_PATH, opa_port: serverSchema.parse({}).http_port });
    expect(opaPlugin.include_body_in_opa_input || opaPlugin.include_parsed_json_body_in_opa_input).toBe(true);
  });

  const cases: Array<{ name: string; input: () => unknown; want: Record<string, unknown>; audit?: Record<string, unknown> }> = [
    {
      name: 'raw body (include_body_in_opa_input): allowed, identity headers for the upstream',
      input: () => kongInput({ headers: { authorization: bearer(), 'content-type': 'application/json; charset=utf-8' }, body: chatBody('gpt-4o'), body_size: chatBody('gpt-4o').length }),
      want: { allow: true, headers: expect.objectContaining({ 'x-tollgate-subject': 'svc-a', 'x-tollgate-credential': 'api_key', 'x-tollgate-on-behalf-of': '' }) },
      audit: { gateway: 'kong', result: 'allow', model: 'gpt-4o', source_address: '198.51.100.20', path: '/v1/chat/completions' },
    },
    {
      name: 'parsed_body (include_parsed_json_body_in_opa_input), numeric port, repeated headers and query flags',
      input: () => kongInput({ port: 8000, headers: { authorization: bearer(), accept: ['a/b', 'c/d'] }, parsed_body: JSON.parse(chatBody('gpt-4o-mini')), querystring: { a: ['1', '2'], flag: true } }),
      want: { allow: true, headers: expect.objectContaining({ 'x-tollgate-subject': 'svc-a' }) },
      audit: { gateway: 'kong', model: 'gpt-4o-mini' },
    },
    {
      name: 'a client-sent identity header is overwritten by the result headers',
      input: () => kongInput({ headers: { authorization: bearer(), 'x-tollgate-subject': 'admin' }, body: chatBody('gpt-4o') }),
      want: { allow: true, headers: expect.objectContaining({ 'x-tollgate-subject': 'svc-a' }) },
    },
    {
      name: 'model not granted: 403 with the reason object as the message',
      input: () => kongInput({ headers: { authorization: bearer() }, body: chatBody('o1') }),
      want: { allow: false, status: 403, headers: {}, message: { error: expect.objectContaining({ code: 'model_not_allowed' }) } },
    },
    {
      name: 'no credential: 401 with the challenge for the client',
      input: () => kongInput({ headers: {}, body: chatBody('gpt-4o') }),
      want: { allow: false, status: 401, headers: { 'www-authenticate': expect.stringMatching(/^Bearer/) }, message: { error: expect.objectContaining({ code: 'unauthenticated' }) } },
    },
    {
      name: 'a credential Tollgate does not know: 401',
      input: () => kongInput({ headers: { 'x-api-key': 'sk-elsewhere' }, body: chatBody('gpt-4o') }),
      want: { allow: false, status: 401, message: { error: expect.objectContaining({ code: 'credential_invalid' }) } },
    },
    {
      name: 'input without request.http: a 400 deny, never an error Kong would turn into 500',
      input: () => ({ input: { client_ip: '1.2.3.4' } }),
      want: { allow: false, status: 400, message: { error: expect.objectContaining({ code: 'request_malformed' }) } },
      audit: { gateway: 'kong', result: 'deny', reason: 'request_malformed' },
    },
    {
      name: 'a header value of the wrong type: 400 deny',
      input: () => kongInput({ headers: { authorization: 42 } }),
      want: { allow: false, status: 400 },
    },
    {
      name: 'a body that is no JSON at all: 400 deny',
      input: () => '{"input": ',
      want: { allow: false, status: 400 },
    },
  ];

  test.each(cases)('$name', async ({ input, want, audit }) => {
    const res = await postJson(`${tg.url}${KONG_DATA_PATH}`, input());
    // The plugin accepts only HTTP 200 with a boolean result.allow.
    expect(res.status).toBe(200);
    expect(typeof res.json.result.allow).toBe('boolean');
    expect(res.json.result).toEqual(expect.objectContaining(want));
    if (audit) expect(tg.decisions().find((d) => d.decision_id === res.json.decision_id)).toMatchObject(audit);
  });

  test('service, route and consumer become policy metadata; the query map becomes the raw query', () => {
    const req = decodeKongInput(kongInput({ method: 'get', querystring: { a: ['1', '2'], 'b c': 'd&e', flag: true } }), '127.0.0.1');
    expect(req).toMatchObject({ gateway: 'kong', method: 'GET', query: 'a=1&a=2&b%20c=d%26e&flag', host: 'llm.example', source: { address: '198.51.100.20' } });
    expect(Object.keys(req.gatewayMetadata ?? {}).sort()).toEqual(['consumer', 'route', 'service']);
  });
});

describe('Kong OSS pre-function (integrations/kong/tollgate-pre-function.lua)', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  const lua = readFileSync(integrationFile('kong', 'tollgate-pre-function.lua'), 'utf8');
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file, TOLLGATE_UPSTREAM__REMOVE_CREDENTIAL_HEADERS: 'true' });
  });
  afterAll(() => tg.stop());

  test('kong-oss.yaml embeds the Lua file verbatim', () => {
    const doc = parseYaml(readFileSync(integrationFile('kong', 'kong-oss.yaml'), 'utf8'));
    expect(doc.services[0].plugins[0]).toMatchObject({ name: 'pre-function', config: { access: [lua] } });
  });

  test('the Lua calls the native API and reads the fields it answers with', () => {
    expect(lua).toContain('"http://127.0.0.1:8181/v1/authorize"');
    for (const field of ['decision.allow', 'decision.status', 'decision.body', 'decision.headers', 'decision.remove_headers', 'decision.response_headers']) expect(lua).toContain(field);
  });

  test('the request the Lua builds (kong.request.get_headers: lower case, lists for repeats; raw body) is decided', async () => {
    const allowed = await postJson(`${tg.url}/v1/authorize`, {
      method: 'POST', path: '/v1/chat/completions?x=1', headers: { authorization: bearer(key), accept: ['a', 'b'] }, body: chatBody('gpt-4o'), source: { address: '198.51.100.1' },
    });
    expect(allowed.json).toMatchObject({ allow: true, headers: { 'x-tollgate-subject': 'svc-a' }, remove_headers: expect.arrayContaining(['authorization']) });
    const denied = await postJson(`${tg.url}/v1/authorize`, { method: 'POST', path: '/v1/chat/completions', headers: {}, body: chatBody('gpt-4o') });
    expect(denied.json).toMatchObject({ allow: false, status: 401, response_headers: { 'www-authenticate': expect.any(String) } });
    expect(JSON.parse(denied.json.body)).toMatchObject({ error: { code: 'unauthenticated' } });
  });

});

function bearer(key: TestKey): string {
  return `Bearer ${key.secret}`;
}
