import type { JWTPayload } from 'jose';
import type { IssuerConfig } from '../../config/identity-schema.js';
import { TollgateError } from '../../core/errors.js';
import { readClaim } from './claims.js';

/**
 * The issuer's own rules on a token whose signature and standard claims jose has verified (exp is
 * present and numeric, iat numeric when present). Messages name configured claims, never values.
 */
export function checkIssuerRules(claims: JWTPayload, config: IssuerConfig, nowS: number): void {
  const exp = claims.exp as number;
  // jose checks iat only with maxTokenAge; a token "issued" in the future is forged or from a broken clock.
  if (claims.iat !== undefined && claims.iat > nowS + config.clock_tolerance_s) {
    throw new TollgateError('ERR_JWT_NOT_YET_VALID', 'token is issued in the future (iat)');
  }
  const max = config.max_token_lifetime_s;
  if (max !== null && exp - (claims.iat ?? nowS) > max) {
    throw new TollgateError('ERR_JWT_CLAIM_INVALID', `token lifetime is longer than this issuer's max_token_lifetime_s (${max})`);
  }
  for (const [path, accepted] of Object.entries(config.required_claim_values)) {
    const value = readClaim(claims, path);
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (!values.some((v) => typeof v === 'string' && accepted.includes(v))) {
      throw new TollgateError('ERR_JWT_CLAIM_INVALID', `token claim "${path}" is missing or has no accepted value`);
    }
  }
}
