import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { integrationFile, requireBinary, startPeer, type PeerProcess } from '../helpers/gateway-peers.js';
import { connectMcpClient, startMcpServer, withMcpHeaders, type McpServerPeer } from '../helpers/mcp-peers.js';
import { freePort } from '../helpers/ports.js';
import { startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

/**
 * Real Caddy (integrations/caddy/Caddyfile as shipped) forwards no body: Tollgate decides from the
 * MCP 2026-07-28 headers. SDK 1.32 does not send them yet, so the client's fetch adds them as a
 * 2026-07-28 client does (withMcpHeaders); client and server are otherwise the official SDK.
 */
describe('the MCP TypeScript SDK through real Caddy forward_auth, decided from the Mcp-Method/Mcp-Name headers', () => {
  let tg: RunningTollgate;
  let mcp: McpServerPeer;
  let caddy: PeerProcess;
  let agent: TestKey;
  let url: string;
  let client: Client;
  beforeAll(async () => {
    const binary = requireBinary('caddy');
    const file = path.join(tempDir(), 'keys.yaml');
    [agent] = writeKeys(file, [{ subject: 'agent', tools: ['search_*'] }]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file });
    mcp = await startMcpServer();
    const port = await freePort();
    const home = tempDir('tollgate-caddy-mcp-');
    caddy = await startPeer(binary, ['run', '--config', integrationFile('caddy', 'Caddyfile'), '--adapter', 'caddyfile'], port, {
      PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config'),
      LISTEN_ADDR: `127.0.0.1:${port}`, AUTHZ_ADDR: new URL(tg.url).host, LLM_UPSTREAM: `127.0.0.1:${mcp.port}`,
    });
    url = `http://127.0.0.1:${port}/mcp`;
    client = await connectMcpClient(url, { authorization: `Bearer ${agent.secret}` }, withMcpHeaders);
  });
  afterAll(async () => {
    await client?.close();
    await caddy?.stop();
    await mcp?.close();
    await tg?.stop();
  });

  test('search_docs is allowed from the headers alone', async () => {
    const result = await client.callTool({ name: 'search_docs', arguments: { query: 'audit' } });
    expect(result.content).toEqual([{ type: 'text', text: 'search_docs: audit' }]);
    expect(tg.decisions().at(-1)).toMatchObject({ gateway: 'forward_auth', result: 'allow', mcp_tools: ['search_docs'] });
  });

  test('delete_repo: Caddy passes Tollgate\'s 403, its insufficient_scope challenge and the JSON-RPC error to the SDK client', async () => {
    const before = mcp.calls.length;
    await expect(client.callTool({ name: 'delete_repo', arguments: { query: 'x' } })).rejects.toMatchObject({
      code: 403, message: expect.stringContaining('"reason":"tool_not_allowed"'),
    });
    expect(mcp.calls.length).toBe(before);
    const res = await withMcpHeaders(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.secret}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'delete_repo', arguments: {} } }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tollgate", error="insufficient_scope", scope="tool:delete_repo"');
  });
});
