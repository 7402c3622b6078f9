import { TollgateError } from '../core/errors.js';

/**
 * Where callers put credentials: the one place that knows the standard headers, bearer parsing and
 * the JWT shape. Authenticators ask here and claim only values of their own shape, so a new kind of
 * bearer credential can sit next to the existing ones.
 */

/** Headers OpenAI (Authorization: Bearer), Anthropic (x-api-key) and Azure (api-key) clients send credentials in. */
export const STANDARD_CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'api-key'] as const;

/** Opaque credentials are bounded before anyone hashes or parses them. */
const MAX_OPAQUE_CREDENTIAL_BYTES = 8 * 1024;

/** The token of `Authorization: Bearer <token>`; undefined for any other scheme or none. */
export function bearerToken(headers: Record<string, string>): string | undefined {
  const auth = headers.authorization;
  if (auth === undefined) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
}

/** A compact JWS: three base64url parts separated by dots. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(token);
}

/**
 * The caller's opaque (non-JWT) credential: a bearer value that is not a JWT, else x-api-key, else
 * api-key. Only the first one counts, so a wrong credential is never skipped for a right one.
 */
export function opaqueCredential(headers: Record<string, string>): string | undefined {
  const bearer = bearerToken(headers);
  const value = bearer !== undefined && !looksLikeJwt(bearer) ? bearer : headers['x-api-key'] ?? headers['api-key'];
  if (value !== undefined && value.length > MAX_OPAQUE_CREDENTIAL_BYTES) throw new TollgateError('ERR_CREDENTIAL_TOO_LARGE', 'credential is too large');
  return value;
}
