import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface McpServerPeer { port: number; calls: string[]; close(): Promise<void> }

/**
 * A real MCP server (the official TypeScript SDK, Streamable HTTP at /mcp, stateless, JSON
 * answers) with three tools; `calls` lists every tool it actually ran.
 */
export async function startMcpServer(): Promise<McpServerPeer> {
  const calls: string[] = [];
  const build = () => {
    const server = new McpServer({ name: 'tollgate-test-tools', version: '1.0.0' });
    for (const name of ['search_docs', 'search_web', 'delete_repo']) {
      server.registerTool(name, { description: `${name} (test tool)`, inputSchema: { query: z.string() } }, async ({ query }) => {
        calls.push(name);
        return { content: [{ type: 'text', text: `${name}: ${query}` }] };
      });
    }
    return server;
  };
  const httpServer = http.createServer(async (req, res) => {
    if (req.url !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    // The SDK's stateless pattern: one server and transport per request.
    const server = build();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return {
    port: (httpServer.address() as AddressInfo).port,
    calls,
    close: () => new Promise((resolve) => { httpServer.closeAllConnections(); httpServer.close(() => resolve()); }),
  };
}

/** A real MCP client (the official TypeScript SDK) on `url`, sending `headers` with every request. */
export async function connectMcpClient(url: string, headers: Record<string, string>, fetchImpl?: typeof fetch): Promise<Client> {
  const client = new Client({ name: 'tollgate-test-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: fetchImpl }));
  return client;
}

/**
 * What an MCP 2026-07-28 client adds to each POST and SDK 1.32 does not yet: `Mcp-Method`, and
 * `Mcp-Name` for tools/call, prompts/get and resources/read, mirrored from the JSON-RPC body.
 */
export const withMcpHeaders: typeof fetch = async (input, init) => {
  if (init?.method !== 'POST' || typeof init.body !== 'string') return fetch(input, init);
  const message = JSON.parse(init.body) as { method?: string; params?: { name?: string; uri?: string } };
  const headers = new Headers(init.headers);
  if (message.method) headers.set('mcp-method', message.method);
  const name = message.params?.name ?? message.params?.uri;
  if (name && ['tools/call', 'prompts/get', 'resources/read'].includes(message.method ?? '')) headers.set('mcp-name', name);
  return fetch(input, { ...init, headers });
};
