import { TollgateError } from '../core/errors.js';

export interface SpiffeId {
  id: string;
  trustDomain: string;
  /** '' or '/segment/...'. */
  path: string;
}

const MAX_SPIFFE_ID_BYTES = 2048;
const SPIFFE_ID = /^spiffe:\/\/([a-z0-9._-]+)((?:\/[A-Za-z0-9._-]+)*)$/;

/**
 * Parses a SPIFFE ID strictly (SPIFFE ID spec section 2): lower-case trust domain, no port,
 * user info, query or fragment, no empty, '.' or '..' path segments, no trailing slash.
 */
export function parseSpiffeId(id: string): SpiffeId {
  const m = id.length <= MAX_SPIFFE_ID_BYTES ? SPIFFE_ID.exec(id) : null;
  if (!m || m[2].split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new TollgateError('ERR_SPIFFE_ID_INVALID', 'peer URI is not a valid SPIFFE ID');
  }
  return { id, trustDomain: m[1], path: m[2] };
}

export function isSpiffeUri(uri: string): boolean {
  return uri.toLowerCase().startsWith('spiffe://');
}
