import { TollgateError, type ErrorCode } from '../../core/errors.js';

/** jose failure codes to Tollgate codes. Messages are Tollgate's own: jose's may quote claims. */
const BY_JOSE_CODE: Record<string, [ErrorCode, string]> = {
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: ['ERR_JWT_SIGNATURE_INVALID', 'token signature does not verify'],
  ERR_JOSE_ALG_NOT_ALLOWED: ['ERR_JWT_ALG_NOT_ALLOWED', 'token alg is not allowed for this issuer'],
  ERR_JWKS_NO_MATCHING_KEY: ['ERR_JWT_KEY_NOT_FOUND', 'no key of the issuer matches the token (kid, alg)'],
  ERR_JWK_INVALID: ['ERR_JWT_KEY_NOT_FOUND', 'the matching issuer key is not usable'],
  ERR_JWKS_INVALID: ['ERR_JWT_KEY_NOT_FOUND', 'the issuer key set is not usable'],
  ERR_JWS_INVALID: ['ERR_JWT_MALFORMED', 'token is not a valid JWS'],
  ERR_JWT_INVALID: ['ERR_JWT_MALFORMED', 'token claims are not a JSON object'],
  ERR_JOSE_NOT_SUPPORTED: ['ERR_JWT_ALG_NOT_ALLOWED', 'token uses an unsupported algorithm or key'],
};

/** Anything jwtVerify throws, as a 401 (or jwks_unavailable) with a specific reason; never a 500. */
export function joseFailure(err: unknown): TollgateError {
  if (err instanceof TollgateError) return err;
  const { code, claim, reason } = err as { code?: string; claim?: string; reason?: string };
  if (code === 'ERR_JWT_EXPIRED' && claim === 'exp') return new TollgateError('ERR_JWT_EXPIRED', 'token has expired', { cause: err });
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' || code === 'ERR_JWT_EXPIRED') {
    if (claim === 'nbf' && reason === 'check_failed') return new TollgateError('ERR_JWT_NOT_YET_VALID', 'token is not valid yet (nbf)', { cause: err });
    if (claim === 'aud') return new TollgateError('ERR_JWT_AUDIENCE_INVALID', 'token audience is not accepted here', { cause: err });
    if (claim === 'iss') return new TollgateError('ERR_JWT_ISSUER_UNKNOWN', 'token issuer is not trusted here', { cause: err });
    return new TollgateError('ERR_JWT_CLAIM_INVALID', `token claim "${claim}" is ${reason === 'missing' ? 'missing' : 'invalid'}`, { cause: err });
  }
  const mapped = code ? BY_JOSE_CODE[code] : undefined;
  if (mapped) return new TollgateError(mapped[0], mapped[1], { cause: err });
  // e.g. a TypeError from WebCrypto when a key does not fit the algorithm: still a bad credential.
  return new TollgateError('ERR_CREDENTIAL_INVALID', 'token could not be verified', { cause: err });
}
