import { TollgateError } from '../../core/errors.js';
import { isObject } from '../../core/llm.js';
import type { AuthzRequest } from '../../core/types.js';

/**
 * POST /v1/authorize body: {"method", "path", "headers": {...}, "body"?: any, "source"?: {"address"}}.
 * `path` may carry a query string; header values may be strings or lists of strings.
 */
export function decodeNativeRequest(doc: unknown, transportPeer: string | undefined): AuthzRequest {
  if (!isObject(doc)) throw malformed('request must be a JSON object');
  const { method, path, headers, body, source } = doc;
  if (typeof method !== 'string' || !/^[A-Za-z]{1,16}$/.test(method)) throw malformed('"method" must be an HTTP method');
  if (typeof path !== 'string' || !path.startsWith('/')) throw malformed('"path" must be a string starting with /');
  if (headers !== undefined && !isObject(headers)) throw malformed('"headers" must be an object');
  if (source !== undefined && (!isObject(source) || (source.address !== undefined && typeof source.address !== 'string'))) {
    throw malformed('"source" must be an object with a string "address"');
  }
  const lowered = lowerCaseHeaders(headers ?? {});
  const q = path.indexOf('?');
  return {
    gateway: 'native',
    method: method.toUpperCase(),
    path: q === -1 ? path : path.slice(0, q),
    query: q === -1 ? '' : path.slice(q + 1),
    host: lowered.host ?? lowered[':authority'] ?? '',
    scheme: lowered['x-forwarded-proto'] ?? 'http',
    headers: lowered,
    ...(typeof body === 'string' ? { rawBody: body } : { body }),
    source: { address: (source?.address as string | undefined) ?? undefined },
    transportPeer,
  };
}

/** Header names to lower case; list values joined as HTTP folds repeated headers. */
export function lowerCaseHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = value.join(', ');
    else throw malformed(`header "${name}" must be a string or a list of strings`);
  }
  return out;
}

/** JSON text a gateway forwarded, or undefined when it is not JSON. */
export function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function malformed(message: string): TollgateError {
  return new TollgateError('ERR_REQUEST_MALFORMED', message);
}
