import type { AuthzRequest } from '../../core/types.js';
import { isHttpMethod, splitTarget } from '../http/request-line.js';
import type { CheckRequestMessage, HeaderValueMessage, HttpRequestMessage, MetadataMessage, PeerMessage } from './messages.js';
import { fromStruct } from './struct.js';
import { requestMalformed } from '../http/malformed.js';

/** Envoy adds this when it includes a body; 'true' means the body was cut at max_request_bytes. */
const PARTIAL_BODY_HEADER = 'x-envoy-auth-partial-body';

/**
 * CheckRequest -> AuthzRequest. Envoy sends the request target in `path` (query included), the
 * pseudo-headers inside `headers`, and the body as `body` or, with pack_as_bytes, `raw_body`.
 */
export function decodeCheckRequest(check: CheckRequestMessage, transportPeer: string | undefined): AuthzRequest {
  const attributes = check.attributes;
  const http = attributes?.request?.http;
  if (!attributes || !http) throw requestMalformed('CheckRequest has no attributes.request.http');
  const all = requestHeaders(http);
  const method = http.method || all[':method'];
  const target = http.path || all[':path'];
  if (!isHttpMethod(method)) throw requestMalformed('CheckRequest has no valid HTTP method');
  if (!target) throw requestMalformed('CheckRequest has no request path');
  const host = http.host || all[':authority'] || all.host || '';
  const headers = withoutPseudoHeaders(all);
  if (host && !headers.host) headers.host = host;
  const bodyTruncated = headers[PARTIAL_BODY_HEADER] === 'true';
  delete headers[PARTIAL_BODY_HEADER];
  const req: AuthzRequest = {
    gateway: 'envoy_grpc',
    method: method.toUpperCase(),
    ...splitTarget(target),
    host,
    scheme: http.scheme || all[':scheme'] || 'http',
    headers,
    rawBody: requestBody(http),
    source: peerInfo(attributes.source),
    transportPeer,
  };
  if (bodyTruncated) req.bodyTruncated = true;
  const context = attributes.context_extensions;
  if (context && Object.keys(context).length > 0) req.context = { ...context };
  const metadata = gatewayMetadata(attributes.metadata_context, attributes.route_metadata_context);
  if (metadata) req.gatewayMetadata = metadata;
  return req;
}

/** `headers` (merged, lower case) or, with encode_raw_headers, `header_map` (one entry per value). */
function requestHeaders(http: HttpRequestMessage): Record<string, string> {
  const out: Record<string, string> = {};
  if (http.header_map?.headers?.length) {
    for (const h of http.header_map.headers) {
      if (!h.key) continue;
      const name = h.key.toLowerCase();
      const value = headerValue(h);
      out[name] = name in out ? `${out[name]}, ${value}` : value;
    }
    return out;
  }
  for (const [name, value] of Object.entries(http.headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

function headerValue(h: HeaderValueMessage): string {
  return h.raw_value && h.raw_value.length > 0 ? h.raw_value.toString('utf8') : (h.value ?? '');
}

/** Pseudo-headers (:method, :path, :authority, :scheme) are request facts, not headers. */
function withoutPseudoHeaders(all: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) if (!name.startsWith(':')) out[name] = value;
  return out;
}

/** Envoy sends raw_body with pack_as_bytes, else body as a string; without with_request_body neither. */
function requestBody(http: HttpRequestMessage): string | undefined {
  if (http.raw_body && http.raw_body.length > 0) return http.raw_body.toString('utf8');
  return http.body || undefined;
}

function peerInfo(peer: PeerMessage | undefined): AuthzRequest['source'] {
  const source: AuthzRequest['source'] = {};
  const address = peer?.address?.socket_address?.address;
  if (address) source.address = address;
  if (peer?.principal) source.principal = peer.principal;
  if (peer?.certificate) source.certificate = peer.certificate;
  return source;
}

/** Metadata namespaces Envoy was told to forward, as plain JSON under the proto's own field names. */
function gatewayMetadata(request: MetadataMessage | undefined, route: MetadataMessage | undefined): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (request?.filter_metadata && Object.keys(request.filter_metadata).length > 0) out.filter_metadata = namespaces(request);
  if (route?.filter_metadata && Object.keys(route.filter_metadata).length > 0) out.route_filter_metadata = namespaces(route);
  return Object.keys(out).length > 0 ? out : undefined;
}

function namespaces(metadata: MetadataMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [ns, struct] of Object.entries(metadata.filter_metadata ?? {})) out[ns] = fromStruct(struct);
  return out;
}
