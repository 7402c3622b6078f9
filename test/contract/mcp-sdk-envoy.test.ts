import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { EnvoyHttpEmulator } from '../helpers/envoy-http-emulator.js';
import { connectMcpClient, startMcpServer, type McpServerPeer } from '../helpers/mcp-peers.js';
import { startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/**
 * The gateway: Envoy's HTTP ext_authz filter with the body (integrations/envoy/envoy-http.yaml, by the
 * emulator: no Envoy binary here) in front of the MCP server; on a tools/list answer it asks
 * POST /v1/mcp/tools/filter, as an ext_proc or Lua response step would (docs/mcp.md).
 */
async function startEnvoyStandIn(tollgate: RunningTollgate, upstreamPort: number): Promise<{ url: string; close(): Promise<void> }> {
  const envoy = new EnvoyHttpEmulator(Number(new URL(tollgate.url).port));
  const server = http.createServer((req, res) => {
    // A peer closing mid-answer (the suite stopping) ends the exchange, as it would in Envoy.
    proxy(req, res).catch(() => res.destroy());
  });
  const proxy = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    const check = await envoy.check({ method: req.method ?? 'GET', path: req.url ?? '/', headers, body, clientAddress: '127.0.0.1' });
    if (!check.allowed) {
      res.writeHead(check.status, check.clientHeaders).end(check.body);
      return;
    }
    const forwarded = Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k) && !check.removeHeaders.includes(k)));
    const upstream = await fetch(`http://127.0.0.1:${upstreamPort}${req.url}`, {
      method: req.method, headers: { ...forwarded, ...check.upstreamHeaders }, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    });
    let text = await upstream.text();
    if (upstream.status === 200 && body.includes('"tools/list"')) {
      const filtered = await fetch(`${tollgate.url}/v1/mcp/tools/filter`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: headers.authorization ?? '' }, body: text,
      });
      text = await filtered.text();
    }
    const answerHeaders = Object.fromEntries([...upstream.headers].filter(([k]) => !HOP_BY_HOP.has(k) && k !== 'content-encoding'));
    res.writeHead(upstream.status, answerHeaders).end(text);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('the MCP TypeScript SDK, client and server, through an Envoy HTTP ext_authz stand-in that consults Tollgate with the body', () => {
  let tg: RunningTollgate;
  let mcp: McpServerPeer;
  let gateway: Awaited<ReturnType<typeof startEnvoyStandIn>>;
  let agent: TestKey;
  let client: Client;
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [agent] = writeKeys(file, [{ subject: 'agent', tools: ['search_*'] }]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file });
    mcp = await startMcpServer();
    gateway = await startEnvoyStandIn(tg, mcp.port);
    client = await connectMcpClient(gateway.url, { authorization: `Bearer ${agent.secret}` });
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    await mcp?.close();
    await tg?.stop();
  });

  test('a key granted search_* calls search_docs', async () => {
    const result = await client.callTool({ name: 'search_docs', arguments: { query: 'rotation policy' } });
    expect(result.content).toEqual([{ type: 'text', text: 'search_docs: rotation policy' }]);
    expect(tg.decisions().at(-1)).toMatchObject({ result: 'allow', mcp_methods: ['tools/call'], mcp_tools: ['search_docs'] });
  });

  test('delete_repo is refused before the server runs it, and the SDK client surfaces Tollgate\'s reason', async () => {
    const before = mcp.calls.length;
    const refused = client.callTool({ name: 'delete_repo', arguments: { query: 'tollgate' } });
    await expect(refused).rejects.toMatchObject({ code: 403, message: expect.stringMatching(/"reason":"tool_not_allowed","decision_id":"[0-9a-f-]{36}"/) });
    expect(mcp.calls.length).toBe(before);
    expect(tg.decisions().at(-1)).toMatchObject({ result: 'deny', reason: 'tool_not_allowed', mcp_tools: ['delete_repo'] });
  });

  test('tools/list through the filter shows only search_*', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['search_docs', 'search_web']);
  });

  test('without a key the SDK client cannot even connect: 401, reason unauthenticated', async () => {
    await expect(connectMcpClient(gateway.url, {})).rejects.toMatchObject({ code: 401, message: expect.stringContaining('"reason":"unauthenticated"') });
  });
});
