import { TollgateError } from '../errors.js';
import { isObject } from '../is-object.js';
import type { McpCall } from '../types.js';

/** The MCP SDK refuses larger batches; Tollgate refuses them before evaluating each call. */
export const MAX_BATCH_CALLS = 100;
/** Argument names reach policy; no tool has more, and the list stays bounded. */
const MAX_ARGUMENT_NAMES = 256;
/** Tool and prompt names: the MCP spec's characters (letters, digits, `_-.`) plus the `/:@` aggregators use. */
export const MCP_NAME = /^[A-Za-z0-9_.:/@+=~-]{1,128}$/;
/** A method is printable ASCII without space or comma, so a header carries it one way only. */
export const MCP_METHOD = /^[\x21-\x2b\x2d-\x7e]{1,128}$/;
const MAX_URI = 2048;

/** The members the SDK's strict schemas accept; any other (a `Method` Go would read as `method`) is refused. */
const MESSAGE_KEYS = new Set(['jsonrpc', 'id', 'method', 'params', 'result', 'error']);
/** Members of params Tollgate decides on: a case variant of one reads two ways (Go's encoding/json folds case). */
const PARAM_KEYS = ['name', 'uri', 'arguments', '_meta'];

/** One decoded message, with what the findings scanner reads (argument values) kept beside it. */
export interface DecodedCall {
  call: McpCall;
  arguments?: Record<string, unknown>;
  /** `_meta["io.modelcontextprotocol/protocolVersion"]` (MCP 2026-07-28 sends it with every request). */
  protocolVersion?: string;
}

/** True when a parsed body is meant as JSON-RPC: an object (or array of them) with a `jsonrpc` member in any case. */
export function looksLikeJsonRpc(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(looksLikeJsonRpc);
  return isObject(value) && Object.keys(value).some((k) => k.toLowerCase() === 'jsonrpc');
}

/**
 * Decodes a JSON-RPC message or batch as the MCP SDK does (strict: exactly its members, `jsonrpc`
 * "2.0", ids strings or integers), so what Tollgate authorises is what the server will run.
 */
export function decodeJsonRpc(value: unknown): DecodedCall[] {
  if (!Array.isArray(value)) return [decodeMessage(value)];
  if (value.length === 0) throw invalid('an empty JSON-RPC batch');
  if (value.length > MAX_BATCH_CALLS) throw invalid(`a JSON-RPC batch of more than ${MAX_BATCH_CALLS} messages`);
  return value.map(decodeMessage);
}

function decodeMessage(message: unknown): DecodedCall {
  if (!isObject(message)) throw invalid('a JSON-RPC message is not an object');
  for (const key of Object.keys(message)) if (!MESSAGE_KEYS.has(key)) throw invalid(`a JSON-RPC message has a member "${key}"`);
  if (message.jsonrpc !== '2.0') throw invalid('"jsonrpc" is not "2.0"');
  const id = requestId(message);
  if ('method' in message) {
    if ('result' in message || 'error' in message) throw invalid('a message is both a request and a response');
    if (typeof message.method !== 'string' || !MCP_METHOD.test(message.method)) throw invalid('"method" is not a method name');
    if (message.params !== undefined && !isObject(message.params)) throw invalid('"params" is not an object');
    return decodeRequest(message.method, id, message.params ?? {});
  }
  if ('result' in message === 'error' in message) throw invalid('a message is neither a request nor a response');
  if ('result' in message ? !isObject(message.result) || id === null : !isObject(message.error)) throw invalid('a malformed JSON-RPC response');
  return { call: { ...emptyCall('response', null, id) } };
}

/** MCP ids are strings or integers; absent means a notification. null, fractions and objects are refused. */
function requestId(message: Record<string, unknown>): string | number | null {
  if (!('id' in message)) return null;
  const { id } = message;
  if (typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id))) return id;
  throw invalid('"id" is not a string or an integer');
}

function decodeRequest(method: string, id: string | number | null, params: Record<string, unknown>): DecodedCall {
  for (const key of Object.keys(params)) {
    const lower = key.toLowerCase();
    if (key !== lower && PARAM_KEYS.includes(lower)) throw invalid(`params has a member "${key}"`);
  }
  const call = emptyCall(id === null ? 'notification' : 'request', method, id);
  const decoded: DecodedCall = { call, protocolVersion: protocolVersion(params) };
  if (method === 'tools/call') {
    const args = params.arguments;
    if (args !== undefined && !isObject(args)) throw invalid('tools/call "arguments" is not an object');
    const names = Object.keys(args ?? {});
    if (names.length > MAX_ARGUMENT_NAMES) throw invalid(`tools/call has more than ${MAX_ARGUMENT_NAMES} arguments`);
    call.tool = { name: checkedName(params.name, 'tool'), arguments: names };
    decoded.arguments = args;
  } else if (method === 'prompts/get') {
    call.prompt = { name: checkedName(params.name, 'prompt') };
  } else if (method.startsWith('resources/') && 'uri' in params) {
    if (typeof params.uri !== 'string' || params.uri === '' || params.uri.length > MAX_URI) throw invalid('a resource "uri" is not a URI');
    call.resource = { uri: params.uri };
  }
  return decoded;
}

function protocolVersion(params: Record<string, unknown>): string | undefined {
  const version = isObject(params._meta) ? params._meta['io.modelcontextprotocol/protocolVersion'] : undefined;
  if (version === undefined) return undefined;
  if (typeof version !== 'string' || !/^[\x21-\x7e]{1,32}$/.test(version)) throw invalid('the protocol version is not a version string');
  return version;
}

function checkedName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !MCP_NAME.test(name)) throw invalid(`the ${what} name is missing or outside the name grammar`);
  return name;
}

export function emptyCall(kind: McpCall['kind'], method: string | null, id: string | number | null): McpCall {
  return { kind, method, id, tool: null, resource: null, prompt: null };
}

export function invalid(why: string): TollgateError {
  return new TollgateError('ERR_MCP_INVALID', `the MCP request cannot be read one way: ${why}`);
}
