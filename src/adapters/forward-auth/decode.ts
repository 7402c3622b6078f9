import type { IncomingMessage } from 'node:http';
import type { AuthzRequest } from '../../core/types.js';
import { incomingHeaders } from '../http/headers.js';
import { splitTarget } from '../http/request-line.js';
import type { TrustedProxies } from '../../common/trusted-proxies.js';
import { readOriginalRequest, type ForwardAuthDialect } from './original-request.js';

export interface ForwardAuthOptions {
  proxies: TrustedProxies;
  /** Header the proxy sets to name the model (adapters.forward_auth.model_header); null = none. */
  modelHeader: string | null;
  /** Which proxy calls, and so which headers name the original request (adapters.forward_auth.dialect). */
  dialect: ForwardAuthDialect;
}

/**
 * A forward-auth subrequest names the original request in headers that depend on the proxy
 * (original-request.ts); the rest (host, scheme, credentials) is read the same for every proxy.
 */
export function decodeForwardAuth(req: IncomingMessage, body: Buffer, options: ForwardAuthOptions): AuthzRequest {
  const headers = incomingHeaders(req);
  const { method, target } = readOriginalRequest(req.headersDistinct, options.dialect);
  const peer = req.socket.remoteAddress;
  return {
    gateway: 'forward_auth',
    method,
    ...splitTarget(target),
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

/** Proxies chaining X-Forwarded-* append with ', '; the first entry is the client-facing one. */
function firstValue(value: string | undefined): string | undefined {
  return value?.split(',')[0].trim() || undefined;
}
