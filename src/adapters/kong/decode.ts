import { isObject } from '../../core/is-object.js';
import type { AuthzRequest } from '../../core/types.js';
import { lowerCaseHeaders } from '../http/headers.js';
import { isHttpMethod } from '../http/request-line.js';
import { requestMalformed } from '../http/malformed.js';

/**
 * The document Kong's OPA plugin posts: {"input": {"request": {"http": {host, port, method, scheme,
 * path, querystring, headers, body?, parsed_body?}}, "client_ip", "service"?, "route"?, "consumer"?}}.
 * Header values may be lists (repeated headers); querystring values strings, lists or `true` (a flag).
 */
export function decodeKongInput(doc: unknown, transportPeer: string | undefined): AuthzRequest {
  const input = isObject(doc) ? doc.input : undefined;
  if (!isObject(input)) throw requestMalformed('body must be {"input": {...}}');
  const http = isObject(input.request) ? input.request.http : undefined;
  if (!isObject(http)) throw requestMalformed('input.request.http must be an object');
  const { method, path, host, scheme, headers, querystring, body, parsed_body: parsedBody } = http;
  if (!isHttpMethod(method)) throw requestMalformed('input.request.http.method must be an HTTP method');
  if (typeof path !== 'string' || !path.startsWith('/')) throw requestMalformed('input.request.http.path must start with /');
  if (headers !== undefined && !isObject(headers)) throw requestMalformed('input.request.http.headers must be an object');
  if (input.client_ip !== undefined && typeof input.client_ip !== 'string') throw requestMalformed('input.client_ip must be a string');
  const lowered = lowerCaseHeaders(headers ?? {});
  return {
    gateway: 'kong',
    method: method.toUpperCase(),
    path,
    query: queryString(querystring),
    host: typeof host === 'string' ? host : lowered.host ?? '',
    scheme: typeof scheme === 'string' ? scheme : 'http',
    headers: lowered,
    ...(parsedBody !== undefined ? { body: parsedBody } : { rawBody: typeof body === 'string' ? body : undefined }),
    source: { address: input.client_ip },
    transportPeer,
    gatewayMetadata: kongEntities(input),
  };
}

/** Rebuilds the raw query from Kong's map, so policy sees the same query string other gateways give it. */
function queryString(querystring: unknown): string {
  if (querystring === undefined) return '';
  if (!isObject(querystring)) throw requestMalformed('input.request.http.querystring must be an object');
  const parts: string[] = [];
  for (const [name, value] of Object.entries(querystring)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === true) parts.push(encodeURIComponent(name));
      else if (typeof v === 'string') parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(v)}`);
      else throw requestMalformed(`querystring "${name}" must be a string, a list of strings or true`);
    }
  }
  return parts.join('&');
}

/** Service, route and consumer (when the plugin includes them) reach policy as input.request.metadata. */
function kongEntities(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of ['service', 'route', 'consumer']) if (isObject(input[name])) out[name] = input[name];
  return out;
}
