import { isObject } from '../../core/is-object.js';
import type { AuthzRequest } from '../../core/types.js';
import { lowerCaseHeaders } from '../http/headers.js';
import { isHttpMethod, splitTarget } from '../http/request-line.js';
import { requestMalformed } from '../http/malformed.js';

/**
 * POST /v1/authorize body: {"method", "path", "headers": {...}, "body"?: any, "source"?: {"address"}}.
 * `path` may carry a query string; header values may be strings or lists of strings.
 */
export function decodeNativeRequest(doc: unknown, transportPeer: string | undefined): AuthzRequest {
  if (!isObject(doc)) throw requestMalformed('request must be a JSON object');
  const { method, path, headers, body, source } = doc;
  if (!isHttpMethod(method)) throw requestMalformed('"method" must be an HTTP method');
  if (typeof path !== 'string' || !path.startsWith('/')) throw requestMalformed('"path" must be a string starting with /');
  if (headers !== undefined && !isObject(headers)) throw requestMalformed('"headers" must be an object');
  if (source !== undefined && (!isObject(source) || (source.address !== undefined && typeof source.address !== 'string'))) {
    throw requestMalformed('"source" must be an object with a string "address"');
  }
  const lowered = lowerCaseHeaders(headers ?? {});
  return {
    gateway: 'native',
    method: method.toUpperCase(),
    ...splitTarget(path),
    host: lowered.host ?? lowered[':authority'] ?? '',
    scheme: lowered['x-forwarded-proto'] ?? 'http',
    headers: lowered,
    ...(typeof body === 'string' ? { rawBody: body } : { body }),
    source: { address: (source?.address as string | undefined) ?? undefined },
    transportPeer,
  };
}
