import type { JWTPayload, JWTVerifyOptions, JWTVerifyResult, ProtectedHeaderParameters } from 'jose';
import { jose } from '../../common/jose.js';
import { TollgateError } from '../../core/errors.js';
import { looksLikeJwt } from '../credentials.js';
import type { TrustedIssuer } from './issuers.js';
import { joseFailure } from './jose-failure.js';
import { checkIssuerRules } from './issuer-rules.js';
import { VerifiedTokenCache } from './token-cache.js';

export interface VerifiedJwt {
  readonly issuer: TrustedIssuer;
  readonly payload: JWTPayload;
}

export interface JwtVerifierOptions {
  maxTokenBytes: number;
  /** Omit to verify every token in full. */
  cache?: VerifiedTokenCache<VerifiedJwt>;
  now: () => number;
}

/**
 * Picks the issuer by the token's unverified `iss`, refuses what jose would accept too loosely or
 * report too vaguely (size, alg none, alg family, crit), then verifies with that issuer's keys only.
 */
export class JwtVerifier {
  constructor(private readonly issuers: ReadonlyMap<string, TrustedIssuer>, private readonly options: JwtVerifierOptions) {}

  issuer(iss: string): TrustedIssuer | undefined {
    return this.issuers.get(iss);
  }

  /** Headers that issuers read tokens from, in issuer order. */
  get tokenHeaders(): string[] {
    return [...new Set([...this.issuers.values()].map((i) => i.config.token_header))];
  }

  /**
   * `via` is the header the token came in. When `fromIssuerHeader`, the issuer must read tokens from
   * that header (a token is never accepted from a place its issuer was not configured for).
   */
  async verify(token: string, via: string, fromIssuerHeader: boolean): Promise<VerifiedJwt> {
    if (token.length > this.options.maxTokenBytes) throw new TollgateError('ERR_CREDENTIAL_TOO_LARGE', `token is larger than ${this.options.maxTokenBytes} bytes`);
    if (!looksLikeJwt(token)) throw new TollgateError('ERR_JWT_MALFORMED', 'token is not a compact JWS');
    // The scope keeps a token verified without the issuer-header check from satisfying one with it.
    const cacheKey = this.options.cache ? VerifiedTokenCache.key(`${fromIssuerHeader ? 'issuer-header' : 'any-header'} ${via}`, token) : '';
    const cached = this.options.cache?.get(cacheKey);
    if (cached) return cached;

    const { decodeJwt, decodeProtectedHeader, jwtVerify } = await jose();
    const { header, claims } = decodeUnverified(token, decodeProtectedHeader, decodeJwt);
    if (typeof header.alg !== 'string') throw new TollgateError('ERR_JWT_MALFORMED', 'token header has no "alg"');
    if (header.alg.toLowerCase() === 'none') throw new TollgateError('ERR_JWT_ALG_NONE', 'unsigned tokens (alg "none") are never accepted');
    if (typeof claims.iss !== 'string') throw new TollgateError('ERR_JWT_ISSUER_UNKNOWN', 'token has no "iss" claim');
    const issuer = this.issuers.get(claims.iss);
    if (!issuer || (fromIssuerHeader && issuer.config.token_header !== via)) throw new TollgateError('ERR_JWT_ISSUER_UNKNOWN', 'token issuer is not trusted here');
    // No critical extensions are implemented, so any `crit` header must be refused (RFC 7515 4.1.11).
    if (header.crit !== undefined) throw new TollgateError('ERR_JWT_CRIT_UNSUPPORTED', 'token has critical header extensions Tollgate does not implement');
    if (header.alg.startsWith('HS') !== issuer.symmetric) {
      throw new TollgateError('ERR_JWT_ALG_CONFUSION', `alg ${shown(header.alg)} does not match the issuer's ${issuer.symmetric ? 'shared secret' : 'public keys'}`);
    }
    if (!issuer.algorithms.includes(header.alg)) throw new TollgateError('ERR_JWT_ALG_NOT_ALLOWED', `alg ${shown(header.alg)} is not allowed for this issuer`);

    const { config } = issuer;
    let result: JWTVerifyResult;
    try {
      result = await verifyWithKeys(jwtVerify, token, issuer.key, {
        issuer: config.issuer,
        audience: config.audiences,
        algorithms: [...issuer.algorithms],
        clockTolerance: config.clock_tolerance_s,
        requiredClaims: ['exp', ...config.required_claims],
        currentDate: new Date(this.options.now()),
      });
    } catch (err) {
      throw joseFailure(err);
    }
    checkIssuerRules(result.payload, config, Math.floor(this.options.now() / 1000));
    const verified: VerifiedJwt = Object.freeze({ issuer, payload: result.payload });
    this.options.cache?.set(cacheKey, verified, ((result.payload.exp as number) + config.clock_tolerance_s) * 1000);
    return verified;
  }
}

/** The token's alg, echoed in messages only when it looks like an algorithm name (it is attacker input). */
function shown(alg: string): string {
  return /^[A-Za-z0-9]{1,16}$/.test(alg) ? alg : '(unrecognised)';
}

type Jose = typeof import('jose');

function decodeUnverified(token: string, decodeProtectedHeader: Jose['decodeProtectedHeader'], decodeJwt: Jose['decodeJwt']): { header: ProtectedHeaderParameters; claims: JWTPayload } {
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    throw new TollgateError('ERR_JWT_MALFORMED', 'token header or payload is not base64url JSON');
  }
}

/**
 * jose leaves a JWKS with several keys matching a kid-less token to the caller: try each in turn
 * (typical during key rotation).
 */
async function verifyWithKeys(jwtVerify: Jose['jwtVerify'], token: string, key: TrustedIssuer['key'], options: JWTVerifyOptions): Promise<JWTVerifyResult> {
  try {
    return typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw err;
    for await (const candidate of err as AsyncIterable<CryptoKey>) {
      try {
        return await jwtVerify(token, candidate, options);
      } catch (inner) {
        if ((inner as { code?: string }).code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw inner;
      }
    }
    throw new TollgateError('ERR_JWT_SIGNATURE_INVALID', 'no key of the issuer verifies the signature');
  }
}
