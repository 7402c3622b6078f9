import type { IncomingMessage } from 'node:http';
import type { AuthzRequest } from '../../core/types.js';
import { incomingHeaders } from '../http/headers.js';
import type { TrustedProxies } from '../../common/trusted-proxies.js';

/**
 * Envoy's HTTP check request: the original method, `<path_prefix><original path and query>`, the
 * original Host, the headers the filter lets through, and the (possibly truncated) body when
 * with_request_body is set. `path` arrives here with the prefix already stripped.
 */
export function decodeEnvoyHttpCheck(req: IncomingMessage, path: string, query: string, body: Buffer, proxies: TrustedProxies): AuthzRequest {
  const headers = incomingHeaders(req);
  const peer = req.socket.remoteAddress;
  return {
    gateway: 'envoy_http',
    method: (req.method ?? 'GET').toUpperCase(),
    path,
    query,
    host: headers[':authority'] ?? headers.host ?? '',
    scheme: headers['x-forwarded-proto']?.split(',')[0].trim() ?? 'http',
    headers,
    rawBody: body.length > 0 ? body.toString('utf8') : undefined,
    // Envoy sets this header when it had to cut the body at max_request_bytes (if allowed_headers lists it).
    bodyTruncated: headers['x-envoy-auth-partial-body'] === 'true',
    source: { address: proxies.clientAddress(peer, headers['x-forwarded-for']) },
    transportPeer: peer,
  };
}
