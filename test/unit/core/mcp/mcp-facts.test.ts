import { DEFAULT_ENDPOINTS } from '../../../../src/core/endpoint-catalogue.js';
import { EndpointMatcher } from '../../../../src/core/endpoints.js';
import { readLlmFacts } from '../../../../src/core/llm.js';
import { mcpEndpoints } from '../../../../src/core/mcp/mcp-endpoints.js';
import { mcpFactsForAnswer, readMcpFacts } from '../../../../src/core/mcp/mcp-facts.js';
import type { AuthzRequest, McpFacts } from '../../../../src/core/types.js';
import { codeOf } from '../../../helpers/error-code.js';

const reading = { endpoints: new EndpointMatcher([...DEFAULT_ENDPOINTS, ...mcpEndpoints(['/mcp'])]), upstreamReadsFallbacks: true };

function request(rawBody: string | undefined, headers: Record<string, string> = {}, over: Partial<AuthzRequest> = {}): AuthzRequest {
  return {
    gateway: 'envoy_http', method: 'POST', path: '/mcp', query: '', host: '', scheme: 'http', source: {},
    headers: { 'content-type': 'application/json', ...headers }, rawBody, ...over,
  };
}

function read(req: AuthzRequest): McpFacts | null {
  return readMcpFacts(req, readLlmFacts(req, reading));
}

/** The ERR_* code reading throws, or 'ok'. */
const outcome = (req: AuthzRequest): string => codeOf(() => read(req)) ?? 'ok';

const rpc = (message: Record<string, unknown>) => JSON.stringify({ jsonrpc: '2.0', ...message });
const toolCall = (name: unknown, args: unknown = { query: 'q' }, id: unknown = 1) => rpc({ id, method: 'tools/call', params: { name, arguments: args } });

describe('MCP facts from a JSON-RPC body', () => {
  test('tools/call: method, id, tool name and argument names, never the values', () => {
    const facts = read(request(toolCall('search_docs', { query: 'secret plans', limit: 3 }, 7)));
    expect(facts).toEqual({
      calls: [{ kind: 'request', method: 'tools/call', id: 7, tool: { name: 'search_docs', arguments: ['query', 'limit'] }, resource: null, prompt: null }],
      batch: false, protocolVersion: null, source: 'body',
    });
    expect(JSON.stringify(facts)).not.toContain('secret plans');
  });

  test('resources/read, prompts/get and the protocol version of _meta', () => {
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' };
    expect(read(request(rpc({ id: 'a', method: 'resources/read', params: { uri: 'file:///etc/x', _meta: meta } })))).toMatchObject({
      calls: [{ method: 'resources/read', id: 'a', resource: { uri: 'file:///etc/x' } }], protocolVersion: '2026-07-28',
    });
    expect(read(request(rpc({ id: 2, method: 'prompts/get', params: { name: 'summarise' } })))?.calls[0].prompt).toEqual({ name: 'summarise' });
  });

  test.each([
    ['a string id', 'abc', 'abc'],
    ['an empty string id', '', ''],
    ['an integer id', 42, 42],
    ['a negative integer id', -1, -1],
    ['zero', 0, 0],
    ['an integer written with a fraction', 1.0, 1],
  ])('ids: %s is echoed', (_name, id, echoed) => {
    expect(read(request(toolCall('search_docs', {}, id)))?.calls[0].id).toBe(echoed);
  });

  test.each([
    ['a null id', null],
    ['a fractional id', 1.5],
    ['an object id', { a: 1 }],
    ['a list id', [1]],
    ['a boolean id', true],
  ])('ids: %s is refused, as the MCP SDK refuses it', (_name, id) => {
    expect(outcome(request(toolCall('search_docs', {}, id)))).toBe('ERR_MCP_INVALID');
  });

  test('a notification has no id', () => {
    expect(read(request(rpc({ method: 'notifications/initialized' })))?.calls[0]).toMatchObject({ kind: 'notification', id: null, method: 'notifications/initialized' });
  });

  test('a reply to the server (result or error) is a response', () => {
    expect(read(request(rpc({ id: 3, result: {} })))?.calls[0]).toMatchObject({ kind: 'response', method: null, id: 3 });
    expect(read(request(rpc({ id: 3, error: { code: 1, message: 'x' } })))?.calls[0].kind).toBe('response');
  });

  test.each([
    ['not JSON', '{"jsonrpc":"2.0",'],
    ['jsonrpc 1.0', JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'ping' })],
    ['jsonrpc as a number', JSON.stringify({ jsonrpc: 2.0, id: 1, method: 'ping' })],
    ['a method that is not a string', rpc({ id: 1, method: 42 })],
    ['a method with a space', rpc({ id: 1, method: 'tools/call x' })],
    ['a method with a comma', rpc({ id: 1, method: 'ping,tools/call' })],
    ['params that are a list', rpc({ id: 1, method: 'tools/call', params: ['search_docs'] })],
    ['an extra member', rpc({ id: 1, method: 'ping', extra: true })],
    ['a case variant of method (Go reads it as method)', rpc({ id: 1, method: 'ping', Method: 'tools/call' })],
    ['a case variant of a param', rpc({ id: 1, method: 'tools/call', params: { name: 'search_docs', Name: 'delete_repo' } })],
    ['both a request and a response', rpc({ id: 1, method: 'ping', result: {} })],
    ['neither a request nor a response', rpc({ id: 1 })],
    ['a tool call without a name', rpc({ id: 1, method: 'tools/call', params: { arguments: {} } })],
    ['a tool name outside the grammar', toolCall('search docs')],
    ['a tool name with a glob', toolCall('search_*')],
    ['arguments that are a list', toolCall('search_docs', ['q'])],
    ['a member named twice (JSON.parse keeps the last, others the first)', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_docs","name":"delete_repo"}}'],
    ['a member named twice, once escaped', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_docs","\\u006eame":"delete_repo"}}'],
    ['an empty batch', '[]'],
    ['a batch with one bad message', JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', id: null, method: 'ping' }])],
    ['a batch of 101', JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' })))],
    ['a POST body on the MCP path that is not JSON-RPC', JSON.stringify({ model: 'gpt-4o' })],
    ['a form on the MCP path', 'a=1'],
  ])('bad JSON-RPC: %s is mcp_invalid', (_name, body) => {
    const req = request(body, body === 'a=1' ? { 'content-type': 'application/x-www-form-urlencoded' } : {});
    expect(outcome(req)).toBe('ERR_MCP_INVALID');
  });

  test('__proto__ keys are plain names: they neither change the reading nor escape the argument list', () => {
    const body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_docs","__proto__":{"name":"delete_repo"},"arguments":{"__proto__":{"x":1},"q":"a"}}}';
    const facts = read(request(body));
    expect(facts?.calls[0].tool).toEqual({ name: 'search_docs', arguments: ['__proto__', 'q'] });
    expect(({} as Record<string, unknown>).name).toBeUndefined();
  });

  test('huge argument objects: values of any size are read, more than 256 names are refused', () => {
    const big = { text: 'x'.repeat(512 * 1024), nested: { deep: Array.from({ length: 1000 }, (_, i) => i) } };
    expect(read(request(toolCall('search_docs', big)))?.calls[0].tool?.arguments).toEqual(['text', 'nested']);
    const many = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`a${i}`, i]));
    expect(outcome(request(toolCall('search_docs', many)))).toBe('ERR_MCP_INVALID');
  });

  test('a batch lists every call in order', () => {
    const body = JSON.stringify([
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search_docs' } },
      { jsonrpc: '2.0', method: 'notifications/progress' },
      { jsonrpc: '2.0', id: 'x', method: 'tools/call', params: { name: 'delete_repo' } },
    ]);
    const facts = read(request(body));
    expect(facts?.batch).toBe(true);
    expect(facts?.calls.map((c) => [c.id, c.method, c.tool?.name ?? null])).toEqual([[1, 'tools/call', 'search_docs'], [null, 'notifications/progress', null], ['x', 'tools/call', 'delete_repo']]);
  });

  test('a gateway-parsed body (Kong parsed_body, LiteLLM, native) is read the same way', () => {
    const req = request(undefined, {}, { body: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search_docs' } } });
    expect(read(req)?.calls[0].tool?.name).toBe('search_docs');
  });
});

describe('MCP facts from the Mcp-* headers', () => {
  test('headers alone (forward-auth sends no body) name the method and the tool', () => {
    const facts = read(request(undefined, { 'mcp-method': 'tools/call', 'mcp-name': 'search_docs', 'mcp-protocol-version': '2026-07-28' }));
    expect(facts).toEqual({
      calls: [{ kind: 'request', method: 'tools/call', id: null, tool: { name: 'search_docs', arguments: [] }, resource: null, prompt: null }],
      batch: false, protocolVersion: '2026-07-28', source: 'headers',
    });
  });

  test('an Mcp-Method header makes any path an MCP call (which the policy then finds at an unknown endpoint)', () => {
    expect(read(request(undefined, { 'mcp-method': 'ping' }, { path: '/v1/other' }))?.calls[0].method).toBe('ping');
  });

  test('a base64-encoded Mcp-Name is decoded', () => {
    const uri = 'file:///données';
    const facts = read(request(undefined, { 'mcp-method': 'resources/read', 'mcp-name': `=?base64?${Buffer.from(uri).toString('base64')}?=` }));
    expect(facts?.calls[0].resource).toEqual({ uri });
  });

  test('headers that agree with the body', () => {
    expect(outcome(request(toolCall('search_docs'), { 'mcp-method': 'tools/call', 'mcp-name': 'search_docs' }))).toBe('ok');
  });

  test.each([
    ['another tool', { 'mcp-method': 'tools/call', 'mcp-name': 'search_docs' }, toolCall('delete_repo')],
    ['another method', { 'mcp-method': 'tools/list' }, toolCall('delete_repo')],
    ['a name for a call that has none', { 'mcp-method': 'ping', 'mcp-name': 'x' }, rpc({ id: 1, method: 'ping' })],
    ['one call for a batch', { 'mcp-method': 'tools/call', 'mcp-name': 'search_docs' }, JSON.stringify([JSON.parse(toolCall('search_docs')), JSON.parse(toolCall('delete_repo', {}, 2))])],
    ['another protocol version', { 'mcp-protocol-version': '2025-11-25' }, rpc({ id: 1, method: 'ping', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } } })],
  ])('a header naming %s than the body is mcp_header_mismatch', (_name, headers, body) => {
    expect(outcome(request(body, headers))).toBe('ERR_MCP_HEADER_MISMATCH');
  });

  test.each([
    ['a repeated Mcp-Method (joined with a comma)', { 'mcp-method': 'tools/list, tools/call' }],
    ['a repeated Mcp-Name for a tool', { 'mcp-method': 'tools/call', 'mcp-name': 'search_docs, delete_repo' }],
    ['Mcp-Name without Mcp-Method', { 'mcp-name': 'search_docs' }],
    ['Mcp-Name with a method that names nothing', { 'mcp-method': 'tools/list', 'mcp-name': 'delete_repo' }],
    ['a malformed encoded name', { 'mcp-method': 'tools/call', 'mcp-name': '=?base64?***?=' }],
  ])('%s is mcp_invalid', (_name, headers) => {
    expect(outcome(request(undefined, headers))).toBe('ERR_MCP_INVALID');
  });
});

describe('what is and is not an MCP call', () => {
  test('a POST to the MCP path with no body seen and no header is an unknown call', () => {
    expect(read(request(undefined))?.calls[0]).toMatchObject({ kind: 'unknown', method: null });
    expect(read(request('{}', { 'x-envoy-auth-partial-body': 'true' }, { bodyTruncated: true }))?.calls[0].kind).toBe('unknown');
  });

  test('GET and DELETE on the MCP path (event stream, session end) carry no call', () => {
    expect(read(request(undefined, {}, { method: 'GET' }))).toBeNull();
    expect(read(request(undefined, {}, { method: 'DELETE' }))).toBeNull();
  });

  test('a JSON body elsewhere that is not JSON-RPC is no MCP call; JSON-RPC elsewhere is one', () => {
    expect(read(request('{"a":1}', {}, { path: '/v1/other' }))).toBeNull();
    expect(read(request('not json', {}, { path: '/v1/other' }))).toBeNull();
    expect(read(request(rpc({ id: 1, method: 'ping' }), {}, { path: '/v1/other' }))?.calls[0].method).toBe('ping');
  });

  test('a model call that also reads as MCP (body or header) is refused', () => {
    const chat = { path: '/v1/chat/completions' };
    expect(outcome(request(JSON.stringify({ jsonrpc: '2.0', method: 'ping', model: 'gpt-4o', messages: [] }), {}, chat))).toBe('ERR_MCP_INVALID');
    expect(outcome(request(JSON.stringify({ model: 'gpt-4o', messages: [] }), { 'mcp-method': 'ping' }, chat))).toBe('ERR_MCP_INVALID');
    expect(read(request(JSON.stringify({ model: 'gpt-4o', messages: [] }), {}, chat))).toBeNull();
  });

  test('a refused request still yields the ids to answer with, and never throws', () => {
    expect(mcpFactsForAnswer(request('{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"a","name":"b"}}'))?.calls[0].id).toBe(9);
    expect(mcpFactsForAnswer(request('{broken'))).toBeUndefined();
    expect(mcpFactsForAnswer(request(undefined, { 'mcp-method': 'tools/call' }))?.calls[0].id).toBeNull();
  });
});
