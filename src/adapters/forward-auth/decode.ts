import type { IncomingMessage } from 'node:http';
import { TollgateError } from '../../core/errors.js';
import type { AuthzRequest } from '../../core/types.js';
import { incomingHeaders } from '../http-answer.js';
import type { TrustedProxies } from '../../common/trusted-proxies.js';

export interface ForwardAuthOptions {
  proxies: TrustedProxies;
  /** Header the proxy sets to name the model (adapters.forward_auth.model_header); null = none. */
  modelHeader: string | null;
}

/**
 * A forward-auth subrequest names the original request in headers: Traefik and Caddy send
 * X-Forwarded-Method/-Uri/-Host/-Proto, nginx configs conventionally X-Original-Method/-URI/-URL.
 * With no original URI there is nothing to authorize, so that is a malformed request.
 */
export function decodeForwardAuth(req: IncomingMessage, body: Buffer, options: ForwardAuthOptions): AuthzRequest {
  const headers = incomingHeaders(req);
  const target = headers['x-forwarded-uri'] ?? headers['x-original-uri'] ?? pathOfUrl(headers['x-original-url']);
  if (target === undefined || !target.startsWith('/')) {
    throw new TollgateError('ERR_REQUEST_MALFORMED', 'forward-auth request names no original URI (X-Forwarded-Uri, X-Original-URI or X-Original-URL)');
  }
  const method = headers['x-forwarded-method'] ?? headers['x-original-method'] ?? req.method ?? '';
  if (!/^[A-Za-z]{1,16}$/.test(method)) throw new TollgateError('ERR_REQUEST_MALFORMED', 'original method is not an HTTP method');
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  const peer = req.socket.remoteAddress;
  return {
    gateway: 'forward_auth',
    method: method.toUpperCase(),
    path,
    query: q === -1 ? '' : target.slice(q + 1),
    host: firstValue(headers['x-forwarded-host']) ?? headers.host ?? '',
    scheme: firstValue(headers['x-forwarded-proto']) ?? 'http',
    headers,
    rawBody: body.length > 0 ? body.toString('utf8') : undefined,
    declaredModel: declaredModel(headers, options.modelHeader),
    source: { address: options.proxies.clientAddress(peer, headers['x-forwarded-for']) },
    transportPeer: peer,
  };
}

/** The model the proxy names in the configured header (adapters.forward_auth.model_header), when it forwards no body. */
function declaredModel(headers: Record<string, string>, modelHeader: string | null): string | undefined {
  return modelHeader === null ? undefined : headers[modelHeader];
}

function pathOfUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return undefined;
  }
}

/** Proxies chaining X-Forwarded-* append with ', '; the first entry is the client-facing one. */
function firstValue(value: string | undefined): string | undefined {
  return value?.split(',')[0].trim() || undefined;
}
