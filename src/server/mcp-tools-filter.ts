import { requestMalformed } from '../adapters/http/malformed.js';
import { decideOrReject, requestLineOf } from '../adapters/http/decide.js';
import { clientResponseHeaders, denialBody } from '../adapters/http/denial.js';
import { incomingHeaders } from '../adapters/http/headers.js';
import { readJsonBody } from '../adapters/http/json.js';
import { isObject } from '../core/is-object.js';
import { emptyCall, MCP_NAME } from '../core/mcp/json-rpc.js';
import { mcpDocument } from '../core/mcp/mcp-input.js';
import type { Pipeline } from '../core/pipeline.js';
import type { AuthzRequest } from '../core/types.js';
import type { HotRoute } from './authz-server.js';
import { sendJson } from './body.js';

export const TOOLS_FILTER_PATH = '/v1/mcp/tools/filter';
const MAX_TOOLS = 1000;

interface FilterRequest {
  /** The MCP path the listing came from: the policy sees it as the request's path. */
  path: string;
  /** The tools/list result (the object holding `tools`). */
  result: Record<string, unknown>;
  /** The JSON-RPC response around it, when that was sent. */
  response?: Record<string, unknown>;
}

/**
 * POST /v1/mcp/tools/filter: a tools/list result (`{"tools": [...]}`, or the JSON-RPC response
 * holding it as `result`) and optionally `path` (the MCP path, default /mcp), with the caller's
 * credential in the headers as on any authorization request. The listing is authorised and
 * recorded as one tools/list call; each tool is then put to the same policy as a tools/call of it,
 * and the answer is the listing with only the tools the caller may call. A tool the policy cannot
 * be asked about (no name, or one outside the name grammar) is left out.
 */
export function toolsFilterRoute(pipeline: Pipeline, maxBodyBytes: number): HotRoute {
  return {
    method: 'POST',
    path: TOOLS_FILTER_PATH,
    handler: async (req, res) => {
      let filter: FilterRequest | undefined;
      const permitted = new Set<string>();
      const { decision } = await decideOrReject(pipeline, 'native', requestLineOf(req), async () => {
        filter = readFilterRequest(await readJsonBody(req, maxBodyBytes));
        return listingRequest(filter.path, incomingHeaders(req), req.socket.remoteAddress);
      }, (input, evaluate) => {
        for (const name of toolNames(filter!.result.tools as unknown[])) {
          if (evaluate({ ...input, mcp: toolCallDocument(name) }).allow) permitted.add(name);
        }
      });
      if (!decision.allow || !filter) {
        sendJson(res, decision.status, JSON.parse(denialBody(decision) ?? '{}'), clientResponseHeaders(decision));
        return;
      }
      const tools = (filter.result.tools as unknown[]).filter((t) => isObject(t) && typeof t.name === 'string' && permitted.has(t.name));
      const result = { ...filter.result, tools };
      sendJson(res, 200, filter.response ? { ...filter.response, result } : result, { 'x-tollgate-decision-id': decision.decisionId });
    },
  };
}

function readFilterRequest(doc: unknown): FilterRequest {
  if (!isObject(doc)) throw requestMalformed('the body must be a tools/list result object');
  const result = isObject(doc.result) ? doc.result : doc;
  if (!Array.isArray(result.tools)) throw requestMalformed('the body has no "tools" list');
  if (result.tools.length > MAX_TOOLS) throw requestMalformed(`more than ${MAX_TOOLS} tools`);
  const { path = '/mcp', ...rest } = doc;
  if (typeof path !== 'string' || !path.startsWith('/')) throw requestMalformed('"path" must be a path starting with /');
  return result === doc ? { path, result: rest } : { path, result, response: rest };
}

/** The listing as the MCP server would get it: a tools/list call on the MCP path, with the caller's headers. */
function listingRequest(path: string, headers: Record<string, string>, peer: string | undefined): AuthzRequest {
  const { 'content-length': _length, 'mcp-name': _name, ...kept } = headers;
  return {
    gateway: 'native', method: 'POST', path, query: '', host: headers.host ?? '', scheme: 'http',
    headers: { ...kept, 'content-type': 'application/json', 'mcp-method': 'tools/list' },
    rawBody: '{"jsonrpc":"2.0","id":0,"method":"tools/list"}',
    source: { address: peer }, transportPeer: peer,
  };
}

function toolNames(tools: unknown[]): string[] {
  return tools.map((t) => (isObject(t) ? t.name : undefined)).filter((n): n is string => typeof n === 'string' && MCP_NAME.test(n));
}

/** `input.mcp` of a tools/call of `name` with no arguments: what the policy is asked for each listed tool. */
function toolCallDocument(name: string): Record<string, unknown> {
  const call = { ...emptyCall('request', 'tools/call', 0), tool: { name, arguments: [] } };
  return mcpDocument({ calls: [call], batch: false, protocolVersion: null, source: 'body' }, call);
}
