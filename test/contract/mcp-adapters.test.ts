import path from 'node:path';
import { HTTP_ADAPTERS } from '../../src/adapters/registry.js';
import { EnvoyHttpEmulator } from '../helpers/envoy-http-emulator.js';
import { send } from '../helpers/gateway-peers.js';
import { authorizationClient, grpcPort } from '../helpers/grpc-client.js';
import { postJson, startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

/** One MCP request as the client sent it: headers (Mcp-* included) and the JSON-RPC body. */
interface McpRequest { headers: Record<string, string>; body: string }
/** What the client of each gateway gets back. */
interface Answer { status: number; challenge: string | null; body: any }
type Driver = (req: McpRequest) => Promise<Answer>;

const GATEWAYS = [...HTTP_ADAPTERS.filter((a) => a.authorizes).map((a) => a.gateway), 'envoy_grpc'];
/** Gateways that forward the body; forward-auth decides from the Mcp-* headers alone. */
const WITH_BODY = GATEWAYS.filter((g) => g !== 'forward_auth');
const METADATA = 'https://mcp.example/.well-known/oauth-protected-resource/mcp';
const GRPC_HTTP_STATUS: Record<string, number> = { Unauthorized: 401, Forbidden: 403, BadRequest: 400 };

const toolCall = (tool: string, id: number | string, headers: Record<string, string>, headerTool = tool): McpRequest => ({
  headers: { 'content-type': 'application/json', 'mcp-method': 'tools/call', 'mcp-name': headerTool, ...headers },
  body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: { query: 'rotate the keys' } } }),
});

describe('MCP calls decide and answer alike through every adapter', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  let grpc: ReturnType<typeof authorizationClient>;
  const drivers: Record<string, Driver> = {};
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'agent', scopes: ['tool:search_*'] }]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file, TOLLGATE_MCP__RESOURCE_METADATA_URL: METADATA });
    const envoyHttp = new EnvoyHttpEmulator(Number(new URL(tg.url).port));
    grpc = authorizationClient(grpcPort(tg));
    const json = (text: string | undefined) => (text ? JSON.parse(text) : undefined);
    drivers.native = async (r) => {
      const { json: a } = await postJson(`${tg.url}/v1/authorize`, { method: 'POST', path: '/mcp', headers: r.headers, body: r.body });
      return { status: a.status, challenge: a.response_headers['www-authenticate'] ?? null, body: json(a.body) };
    };
    drivers.envoy_http = async (r) => {
      const out = await envoyHttp.check({ method: 'POST', path: '/mcp', headers: r.headers, body: r.body });
      return out.allowed ? { status: 200, challenge: null, body: undefined } : { status: out.status, challenge: out.clientHeaders['www-authenticate'] ?? null, body: json(out.body) };
    };
    drivers.envoy_grpc = async (r) => {
      const res = await grpc.check({
        attributes: { request: { http: { method: 'POST', path: '/mcp', host: 'mcp.example', scheme: 'http', body: r.body, headers: { ':method': 'POST', ':path': '/mcp', ':authority': 'mcp.example', ...r.headers } } } },
      });
      if (res.status.code === 0) return { status: 200, challenge: null, body: undefined };
      const headers = Object.fromEntries(res.denied_response.headers.map((h: any) => [h.header.key, h.header.value]));
      return { status: GRPC_HTTP_STATUS[res.denied_response.status.code], challenge: headers['www-authenticate'] ?? null, body: json(res.denied_response.body) };
    };
    drivers.kong = async (r) => {
      const { json: { result } } = await postJson(`${tg.url}/v1/data/tollgate/kong`, {
        input: { request: { http: { host: 'mcp.example', port: '8000', method: 'POST', scheme: 'http', path: '/mcp', headers: r.headers, body: r.body } }, client_ip: '127.0.0.1' },
      });
      // Kong sends {"message": <message>}: the JSON-RPC error is the message.
      return result.allow ? { status: 200, challenge: null, body: undefined } : { status: result.status, challenge: result.headers['www-authenticate'] ?? null, body: result.message };
    };
    drivers.forward_auth = async (r) => {
      const res = await send(`${tg.url}/forward-auth`, { headers: { ...r.headers, 'x-forwarded-method': 'POST', 'x-forwarded-uri': '/mcp', 'x-forwarded-host': 'mcp.example' } });
      return { status: res.status, challenge: res.headers.get('www-authenticate'), body: res.status === 200 ? undefined : json(res.text) };
    };
  });
  afterAll(async () => {
    grpc?.close();
    await tg?.stop();
  });

  async function everyGateway(gateways: string[], request: () => McpRequest): Promise<Record<string, Answer & { reason: string; decisionId: string }>> {
    const got: Record<string, Answer & { reason: string; decisionId: string }> = {};
    for (const name of gateways) {
      const answer = await drivers[name](request());
      const audit = tg.decisions().at(-1)!;
      expect(audit.gateway).toBe(name);
      got[name] = { ...answer, reason: audit.reason as string, decisionId: audit.decision_id as string };
    }
    return got;
  }

  test('every gateway that authorises has a driver here', () => {
    expect(Object.keys(drivers).sort()).toEqual([...GATEWAYS].sort());
  });

  test('a granted tool is allowed, and the record names the method and the tool', async () => {
    const got = await everyGateway(GATEWAYS, () => toolCall('search_docs', 1, { authorization: `Bearer ${key.secret}` }));
    for (const answer of Object.values(got)) expect(answer).toMatchObject({ status: 200, reason: 'allowed' });
    expect(tg.decisions().at(-1)).toMatchObject({ mcp_methods: ['tools/call'], mcp_tools: ['search_docs'] });
  });

  test('a tool not granted: 403, an insufficient_scope challenge naming it, a JSON-RPC error echoing the id', async () => {
    const got = await everyGateway(GATEWAYS, () => toolCall('delete_repo', 'call-7', { 'x-api-key': key.secret }));
    for (const [name, answer] of Object.entries(got)) {
      expect(answer.status).toBe(403);
      expect(answer.challenge).toBe(`Bearer realm="tollgate", error="insufficient_scope", scope="tool:delete_repo", resource_metadata="${METADATA}"`);
      expect(answer.body).toEqual({
        jsonrpc: '2.0',
        id: name === 'forward_auth' ? null : 'call-7', // forward-auth sees no body, so no id to echo
        error: { code: -32003, message: 'denied by policy: tool_not_allowed', data: { reason: 'tool_not_allowed', decision_id: answer.decisionId } },
      });
    }
  });

  test('headers naming another tool than the body: 400 mcp_header_mismatch with the spec\'s HeaderMismatch code', async () => {
    const got = await everyGateway(WITH_BODY, () => toolCall('delete_repo', 9, { 'x-api-key': key.secret }, 'search_docs'));
    for (const answer of Object.values(got)) {
      expect(answer).toMatchObject({ status: 400, reason: 'mcp_header_mismatch' });
      expect(answer.body).toMatchObject({ jsonrpc: '2.0', id: 9, error: { code: -32020, data: { reason: 'mcp_header_mismatch' } } });
    }
  });

  test('no credential: 401 pointing at the protected resource metadata', async () => {
    const got = await everyGateway(GATEWAYS, () => toolCall('search_docs', 3, {}));
    for (const answer of Object.values(got)) {
      expect(answer).toMatchObject({ status: 401, reason: 'unauthenticated', challenge: `Bearer realm="tollgate", resource_metadata="${METADATA}"` });
      expect(answer.body.error).toMatchObject({ code: -32001, data: { reason: 'unauthenticated' } });
    }
  });

  test('a refused credential: 401 invalid_token with the metadata, answered in JSON-RPC', async () => {
    const got = await everyGateway(WITH_BODY, () => toolCall('search_docs', 4, { 'x-api-key': `${key.secret.slice(0, -4)}AAAA` }));
    for (const answer of Object.values(got)) {
      expect(answer).toMatchObject({ status: 401, reason: 'credential_invalid', challenge: `Bearer realm="tollgate", error="invalid_token", resource_metadata="${METADATA}"` });
      expect(answer.body).toMatchObject({ id: 4, error: { code: -32001 } });
    }
  });

  test('a batch with one call not granted is denied whole, with an error for each request id', async () => {
    const batch = (): McpRequest => ({
      headers: { 'content-type': 'application/json', 'x-api-key': key.secret },
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search_docs' } },
        { jsonrpc: '2.0', method: 'notifications/progress' },
        { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'delete_repo' } },
      ]),
    });
    const got = await everyGateway(WITH_BODY, batch);
    for (const answer of Object.values(got)) {
      expect(answer).toMatchObject({ status: 403, reason: 'tool_not_allowed' });
      expect(answer.body.map((e: any) => e.id)).toEqual([1, 2]);
    }
  });

  test('listings need only authentication; tool names never become metric labels', async () => {
    const list = (): McpRequest => ({ headers: { 'content-type': 'application/json', 'mcp-method': 'tools/list', 'x-api-key': key.secret }, body: '{"jsonrpc":"2.0","id":5,"method":"tools/list"}' });
    const got = await everyGateway(GATEWAYS, list);
    for (const answer of Object.values(got)) expect(answer).toMatchObject({ status: 200, reason: 'allowed' });
    const metrics = await (await fetch(`${tg.adminUrl}/metrics`)).text();
    expect(metrics).toContain('reason="tool_not_allowed"');
    expect(metrics).not.toContain('delete_repo');
  });
});
