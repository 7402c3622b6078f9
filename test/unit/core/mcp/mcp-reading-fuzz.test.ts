import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { DEFAULT_ENDPOINTS } from '../../../../src/core/endpoint-catalogue.js';
import { EndpointMatcher } from '../../../../src/core/endpoints.js';
import { mcpEndpoints } from '../../../../src/core/mcp/mcp-endpoints.js';
import { Pipeline } from '../../../../src/core/pipeline.js';
import type { Authenticator } from '../../../../src/core/pipeline-ports.js';
import type { AuthzRequest, Principal } from '../../../../src/core/types.js';
import { STANDARD_CREDENTIAL_HEADERS } from '../../../../src/identity/credentials.js';
import { defaultBundlePath } from '../../../../src/paths.js';
import { WasmPolicyEngine } from '../../../../src/policy/wasm-engine.js';

/**
 * Property test of the whole MCP decision (real reading, real OPA-built Wasm policy): a caller
 * granted only search_* never gets an allow for a request in which a liberal reader (any key case,
 * escapes decoded, any member of a repeated pair, any message of a batch, the headers) sees a call
 * of delete_repo. The authenticator is a stand-in: identity is not under test here.
 */
const caller: Authenticator = {
  name: 'stand_in',
  credentialHeaders: [],
  authenticate: (): Principal => ({ kind: 'api_key', id: 'api_key:agent', subject: 'agent', keyId: 'k', scopes: [], models: [], tools: ['search_*'], groups: [] }),
};

let pipeline: Pipeline;
beforeAll(async () => {
  const engine = await WasmPolicyEngine.fromBundle(readFileSync(defaultBundlePath()), { entrypoint: 'tollgate/authz/decision', maxMemoryPages: 1024, now: Date.now });
  pipeline = new Pipeline({
    standardCredentialHeaders: STANDARD_CREDENTIAL_HEADERS, authenticators: [caller], policy: () => engine, observers: [],
    reading: { endpoints: new EndpointMatcher([...DEFAULT_ENDPOINTS, ...mcpEndpoints(['/mcp'])]), upstreamReadsFallbacks: true },
  });
});

/** A member name as JSON text: mostly as the spec spells it, else in another case or escaped. */
const spelled = (name: string) => fc.oneof(
  { arbitrary: fc.constant(`"${name}"`), weight: 8 },
  { arbitrary: fc.constantFrom(`"${name.toUpperCase()}"`, `"${name[0].toUpperCase()}${name.slice(1)}"`, `"\\u${name.charCodeAt(0).toString(16).padStart(4, '0')}${name.slice(1)}"`), weight: 1 },
);
const tool = fc.constantFrom('search_docs', 'delete_repo', 'search_web', 'delete_repo ', 'Delete_Repo');

/** One message as JSON text and the tool names a liberal reader sees it call (any spelling of `name` in the params of a tools/call in any case). */
interface Generated { text: string; called: string[] }

const message: fc.Arbitrary<Generated> = fc.record({
  jsonrpc: spelled('jsonrpc'), method: spelled('method'), params: spelled('params'),
  names: fc.array(fc.tuple(spelled('name'), tool), { minLength: 1, maxLength: 2 }),
  id: fc.oneof({ arbitrary: fc.constantFrom('1', '"a"'), weight: 6 }, { arbitrary: fc.constantFrom('null', '1.5', ''), weight: 1 }),
  methodValue: fc.oneof({ arbitrary: fc.constant('tools/call'), weight: 6 }, { arbitrary: fc.constantFrom('tools/list', 'ping', 'TOOLS/CALL'), weight: 1 }),
  args: fc.constantFrom('', ',"arguments":{"name":"delete_repo"}', ',"arguments":{"q":"x"}'),
}).map((m) => {
  const id = m.id === '' ? '' : `"id":${m.id},`;
  const names = m.names.map(([key, value]) => `${key}:"${value}"`).join(',');
  const called = m.methodValue.toLowerCase() === 'tools/call' ? m.names.map(([, value]) => value) : [];
  return { text: `{${m.jsonrpc}:"2.0",${id}${m.method}:"${m.methodValue}",${m.params}:{${names}${m.args}}}`, called };
});

const body: fc.Arbitrary<Generated> = fc.oneof(
  { arbitrary: message, weight: 3 },
  { arbitrary: fc.array(message, { minLength: 1, maxLength: 3 }).map((ms) => ({ text: `[${ms.map((m) => m.text).join(',')}]`, called: ms.flatMap((m) => m.called) })), weight: 1 },
);
const headers = fc.record({
  method: fc.constantFrom(undefined, 'tools/call', 'tools/list', 'ping'),
  name: fc.constantFrom(undefined, 'search_docs', 'delete_repo', 'search_docs, delete_repo'),
});

const isDeleteRepo = (name: string) => name.toLowerCase().trim() === 'delete_repo';

test('fuzz: a caller granted search_* never gets a delete_repo call through, however the JSON-RPC or the headers are spelled', async () => {
  let allowed = 0;
  await fc.assert(fc.asyncProperty(body, headers, fc.boolean(), async (generated, h, withBody) => {
    const req: AuthzRequest = {
      gateway: 'envoy_http', method: 'POST', path: '/mcp', query: '', host: '', scheme: 'http', source: {},
      headers: { 'content-type': 'application/json', ...(h.method && { 'mcp-method': h.method }), ...(h.name && { 'mcp-name': h.name }) },
      rawBody: withBody ? generated.text : undefined,
    };
    const decision = await pipeline.authorize(req);
    const seen = [...(withBody ? generated.called : []), ...(h.name?.split(',') ?? [])];
    if (seen.some(isDeleteRepo)) expect(decision.allow).toBe(false);
    if (decision.allow) {
      allowed++;
      expect(decision.mcp?.calls.every((c) => c.tool === null || c.tool.name?.startsWith('search_'))).toBe(true);
    }
  }), { numRuns: 3000 });
  // The generator must reach allows, or the property says nothing.
  expect(allowed).toBeGreaterThan(100);
});
