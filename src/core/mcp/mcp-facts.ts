import { TollgateError } from '../errors.js';
import { findingsIn } from '../findings/findings.js';
import { isObject } from '../is-object.js';
import { readRequestBody } from '../request-body.js';
import type { AuthzRequest, LlmFacts, McpCall, McpFacts } from '../types.js';
import { duplicateKey } from './duplicate-keys.js';
import { decodeJsonRpc, emptyCall, invalid, looksLikeJsonRpc, MCP_NAME, type DecodedCall } from './json-rpc.js';
import { readMcpHeaders, type McpHeaders } from './mcp-headers.js';

/** The endpoint catalogue's api for the configured MCP paths (mcp.paths). */
export const MCP_API = 'mcp';

/**
 * The MCP call a request makes, or null when it is none: a JSON-RPC body (any path, any adapter)
 * or the `Mcp-Method` header. Headers and body must agree (the server rejects a mismatch, so an
 * authorizer trusting either alone would be bypassed). A POST to an MCP path whose body is unseen
 * and that names no method is an unknown call. Findings in tool arguments are added to `llm.findings`.
 * Throws ERR_MCP_INVALID / ERR_MCP_HEADER_MISMATCH when the request reads more than one way.
 */
export function readMcpFacts(req: AuthzRequest, llm: LlmFacts): McpFacts | null {
  const headers = readMcpHeaders(req.headers);
  if (llm.modelCall) {
    const body = readRequestBody(req);
    if (headers?.method !== undefined || (body.kind === 'fields' && looksLikeJsonRpc(body.fields))) {
      throw invalid('a model call that also reads as an MCP call');
    }
    return null;
  }
  const onEndpoint = llm.api === MCP_API && req.method === 'POST';
  const body = jsonRpcBody(req, onEndpoint);
  if (body !== undefined) {
    const repeated = req.rawBody === undefined ? undefined : duplicateKey(req.rawBody);
    if (repeated !== undefined) throw invalid(`member "${repeated}" appears twice in one object`);
    const decoded = decodeJsonRpc(body);
    if (headers) checkHeadersAgree(headers, decoded);
    llm.findings = findingsIn(decoded.map((d) => d.arguments));
    return {
      calls: decoded.map((d) => d.call),
      batch: Array.isArray(body),
      protocolVersion: headers?.protocolVersion ?? decoded.find((d) => d.protocolVersion)?.protocolVersion ?? null,
      source: 'body',
    };
  }
  if (headers?.method !== undefined) return headerFacts(headers.method, headers);
  if (onEndpoint) return { calls: [emptyCall('unknown', null, null)], batch: false, protocolVersion: headers?.protocolVersion ?? null, source: 'headers' };
  return null;
}

/**
 * Best-effort MCP facts of a request that was refused before (or while) it was read, so the refusal
 * is still answered in JSON-RPC with the request's id. Never throws.
 */
export function mcpFactsForAnswer(req: AuthzRequest): McpFacts | undefined {
  try {
    const body = jsonRpcBody(req, false);
    const messages = body === undefined ? [] : Array.isArray(body) ? body : [body];
    const calls = messages.map((m) => emptyCall('unknown', null, isObject(m) && (typeof m.id === 'string' || typeof m.id === 'number') ? m.id : null));
    if (calls.length > 0) return { calls, batch: Array.isArray(body), protocolVersion: null, source: 'body' };
    return req.headers['mcp-method'] === undefined ? undefined : { calls: [emptyCall('unknown', null, null)], batch: false, protocolVersion: null, source: 'headers' };
  } catch {
    return undefined;
  }
}

/**
 * The body as JSON when it is JSON-RPC; undefined when it is unseen or not JSON-RPC. On an MCP
 * endpoint a POST body must be JSON-RPC; elsewhere anything else is simply not an MCP call.
 */
function jsonRpcBody(req: AuthzRequest, onEndpoint: boolean): unknown {
  if (req.rawBody === undefined) {
    if (req.body === undefined || looksLikeJsonRpc(req.body)) return req.body;
    if (onEndpoint) throw invalid('the body is not JSON-RPC');
    return undefined;
  }
  if (req.bodyTruncated || req.rawBody === '') return undefined;
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  let value: unknown;
  try {
    if (mediaType !== '' && mediaType !== 'application/json') throw invalid(`content type ${mediaType}`);
    value = JSON.parse(req.rawBody);
  } catch (err) {
    if (onEndpoint) throw err instanceof TollgateError ? err : invalid('the body is not valid JSON');
    return undefined;
  }
  if (!looksLikeJsonRpc(value)) {
    if (onEndpoint) throw invalid('the body is not JSON-RPC');
    return undefined;
  }
  return value;
}

/** The server compares its headers with the body and rejects a mismatch; so does Tollgate, with its own reason. */
function checkHeadersAgree(headers: McpHeaders, decoded: DecodedCall[]): void {
  if (headers.method === undefined && headers.name === undefined) {
    if (headers.protocolVersion !== undefined && decoded.some((d) => d.protocolVersion !== undefined && d.protocolVersion !== headers.protocolVersion)) {
      throw mismatch('MCP-Protocol-Version names another version than the body');
    }
    return;
  }
  if (decoded.length !== 1) throw mismatch('Mcp-Method describes one message, the body is a batch');
  const [{ call, protocolVersion }] = decoded;
  if (headers.method !== call.method) throw mismatch('Mcp-Method names another method than the body');
  if (headers.name !== undefined && headers.name !== namedBy(call)) throw mismatch('Mcp-Name names another tool, prompt or resource than the body');
  if (headers.protocolVersion !== undefined && protocolVersion !== undefined && headers.protocolVersion !== protocolVersion) {
    throw mismatch('MCP-Protocol-Version names another version than the body');
  }
}

function namedBy(call: McpCall): string | null | undefined {
  return call.tool?.name ?? call.prompt?.name ?? call.resource?.uri;
}

/** Forward-auth and Envoy without the body: the call as the standard headers name it. */
function headerFacts(method: string, headers: McpHeaders): McpFacts {
  const call = emptyCall('request', method, null);
  const name = headers.name ?? null;
  if ((method === 'tools/call' || method === 'prompts/get') && name !== null && !MCP_NAME.test(name)) {
    throw invalid('Mcp-Name is outside the name grammar');
  }
  if (method === 'tools/call') call.tool = { name, arguments: [] };
  else if (method === 'prompts/get') call.prompt = { name };
  else if (method.startsWith('resources/') && name !== null) call.resource = { uri: name };
  // A name beside a method that takes none says something the headers' reader cannot place.
  else if (name !== null) throw invalid(`Mcp-Name with ${method}, which names no tool, prompt or resource`);
  if (method.startsWith('notifications/')) call.kind = 'notification';
  return { calls: [call], batch: false, protocolVersion: headers.protocolVersion ?? null, source: 'headers' };
}

function mismatch(why: string): TollgateError {
  return new TollgateError('ERR_MCP_HEADER_MISMATCH', `the MCP headers and body disagree: ${why}`);
}
