import { readFileSync } from 'node:fs';
import type { JWTVerifyGetKey } from 'jose';
import { DEFAULT_ASYMMETRIC_ALGORITHMS, SYMMETRIC_ALGORITHMS, type IssuerConfig, type JwtConfig } from '../../config/identity-schema.js';
import { fetchJson } from './http-json.js';
import { JwksCache } from './jwks.js';
import { discoverJwksUri } from './oidc-discovery.js';
import { TollgateError } from '../../core/errors.js';

/** An issuer from config with the keys that may verify its tokens, and only those. */
export interface TrustedIssuer {
  readonly config: IssuerConfig;
  readonly algorithms: readonly string[];
  /** HS* issuer: a shared secret and no JWKS. */
  readonly symmetric: boolean;
  readonly key: Uint8Array | JWTVerifyGetKey;
  readonly jwks?: JwksCache;
}

export interface IssuerEvents {
  now: () => number;
  onKeys: (issuer: string, keyCount: number) => void;
  onKeysError: (issuer: string, err: Error) => void;
}

/** HMAC keys shorter than the hash output make brute force cheaper than the algorithm promises. */
const MIN_SECRET_BYTES = 32;

export function trustIssuers(config: JwtConfig, events: IssuerEvents): Map<string, TrustedIssuer> {
  return new Map(config.issuers.map((issuer) => [issuer.issuer, trustIssuer(issuer, config.jwks, events)]));
}

function trustIssuer(config: IssuerConfig, jwks: JwtConfig['jwks'], events: IssuerEvents): TrustedIssuer {
  if (config.shared_secret_file) {
    const secret = readFileSync(config.shared_secret_file, 'utf8').trim();
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) throw new TollgateError('ERR_ISSUER_INVALID', `issuer ${config.issuer}: shared secret must be at least ${MIN_SECRET_BYTES} bytes`);
    return { config, algorithms: config.algorithms ?? SYMMETRIC_ALGORITHMS, symmetric: true, key: new TextEncoder().encode(secret) };
  }
  const get = (url: string) => fetchJson(url, {
    timeoutMs: jwks.fetch_timeout_ms, maxBytes: jwks.max_response_bytes, caFile: config.ca_file, tokenFile: config.fetch_token_file,
  });
  const configuredUri = config.jwks_uri;
  const cache = new JwksCache({
    issuer: config.issuer,
    locate: configuredUri ? () => Promise.resolve(configuredUri) : () => discoverJwksUri(config.issuer, get),
    fetchJson: get,
    refreshIntervalMs: jwks.refresh_interval_ms,
    maxStalenessMs: jwks.max_staleness_ms,
    refetchCooldownMs: jwks.refetch_cooldown_ms,
    now: events.now,
    onRefresh: (count) => events.onKeys(config.issuer, count),
    onRefreshError: (err) => events.onKeysError(config.issuer, err),
  });
  return { config, algorithms: config.algorithms ?? DEFAULT_ASYMMETRIC_ALGORITHMS, symmetric: false, key: cache.getKey, jwks: cache };
}
