import type { Logger } from 'winston';
import type { IdentityConfig, JwtConfig } from '../config/identity-schema.js';
import type { KeysConfig } from '../config/schema.js';
import { TrustedProxies } from '../common/trusted-proxies.js';
import type { Authenticator, DelegationResolver } from '../core/pipeline-ports.js';
import type { Principal } from '../core/types.js';
import type { IdentityMetrics } from '../observability/metrics.js';
import { ApiKeyAuthenticator } from './api-keys.js';
import type { AuthenticatorName } from './authenticator-names.js';
import { OnBehalfOfResolver } from './delegation.js';
import { trustIssuers, type TrustedIssuer } from './jwt/issuers.js';
import { JwtAuthenticator } from './jwt/jwt-authenticator.js';
import { VerifiedTokenCache } from './jwt/token-cache.js';
import { JwtVerifier, type VerifiedJwt } from './jwt/verifier.js';
import { MtlsAuthenticator } from './mtls.js';

export interface IdentityDeps {
  config: IdentityConfig;
  /** The key file the api_key authenticator reads (a top-level section: `tollgate keys` writes it). */
  keys: KeysConfig;
  metrics: IdentityMetrics;
  log: Logger;
  now: () => number;
}

/** Every authenticator, built from its own section; the configured order picks and sorts them. */
export class Identity {
  readonly authenticators: Authenticator[];
  readonly delegation: DelegationResolver;
  private readonly apiKeys?: ApiKeyAuthenticator;
  private readonly issuers: ReadonlyMap<string, TrustedIssuer>;

  constructor(deps: IdentityDeps) {
    const { config } = deps;
    this.apiKeys = deps.keys.file === null ? undefined : apiKeyAuthenticator(deps.keys.file, deps);
    this.issuers = trustIssuers(config.jwt, {
      now: deps.now,
      onKeys: (issuer, count) => {
        deps.metrics.jwksFetches.inc({ issuer, result: 'success' });
        deps.metrics.jwksKeys.set({ issuer }, count);
      },
      onKeysError: (issuer, err) => {
        deps.metrics.jwksFetches.inc({ issuer, result: 'failure' });
        deps.log.warn('JWKS fetch failed; keeping the last good keys within the staleness bound', { issuer, error: err.message });
      },
    });
    const verifier = this.issuers.size > 0 ? jwtVerifier(this.issuers, config.jwt, deps.now) : undefined;
    // Typed by the names list: a configurable name without an authenticator here does not compile.
    const available: Record<AuthenticatorName, Authenticator | undefined> = {
      api_key: this.apiKeys,
      jwt: verifier && new JwtAuthenticator(verifier),
      mtls: new MtlsAuthenticator({ trustedProxies: new TrustedProxies(config.mtls.trusted_proxies), models: config.mtls.models }),
    };
    this.authenticators = config.order.map((name) => available[name]).filter((a): a is Authenticator => a !== undefined);
    this.delegation = new OnBehalfOfResolver(config.on_behalf_of.header, verifier);
  }

  /**
   * The identity an access question's subject names: `{type: "api_key", id: <key id>}` is that key's
   * caller, with its grants, while it is valid (not revoked or expired). Other subjects are left to policy.
   */
  subjectIdentity(subject: { type: string; id: string }): Principal | null {
    return subject.type === 'api_key' ? this.apiKeys?.principalForKeyId(subject.id) ?? null : null;
  }

  /**
   * Watches the key file (unless a cluster's primary watches it for every worker) and fetches every
   * issuer's keys before Tollgate listens; a fetch failure is logged and retried in the background.
   */
  async start({ watchKeyFile }: { watchKeyFile: boolean }): Promise<void> {
    if (watchKeyFile) this.apiKeys?.watch();
    await Promise.all([...this.issuers.values()].map((issuer) => issuer.jwks?.start()));
  }

  /** Re-reads the key file now (a cluster's primary asks every worker at once); null without a key file. */
  reloadKeys(): { keys_sha256: string | null; error?: string } {
    const error = this.apiKeys?.reload();
    return { keys_sha256: this.keysSha256, ...(error && { error: error.message }) };
  }

  /** The API keys in force, as a digest cluster workers compare; null without a key file. */
  get keysSha256(): string | null {
    return this.apiKeys?.sha256 ?? null;
  }

  /** Refetches every issuer's keys now (operators and tests; the timer does the same). */
  async refreshKeys(): Promise<void> {
    await Promise.all([...this.issuers.values()].map((issuer) => issuer.jwks?.refresh()));
  }

  stop(): void {
    this.apiKeys?.close();
    for (const issuer of this.issuers.values()) issuer.jwks?.stop();
  }
}

function apiKeyAuthenticator(file: string, { keys, metrics, log, now }: IdentityDeps): ApiKeyAuthenticator {
  const apiKeys = new ApiKeyAuthenticator({
    file,
    pollIntervalMs: keys.poll_interval_ms,
    now,
    onReload: (count) => {
      metrics.keysLoaded.set(count);
      metrics.keyReloads.inc({ result: 'success' });
      log.info('API keys reloaded', { keys: count });
    },
    onReloadError: (err) => {
      metrics.keyReloads.inc({ result: 'failure' });
      log.error('API key file reload failed; keeping the last good keys', { error: err.message, code: (err as { code?: string }).code });
    },
  });
  metrics.keysLoaded.set(apiKeys.size);
  return apiKeys;
}

function jwtVerifier(issuers: ReadonlyMap<string, TrustedIssuer>, config: JwtConfig, now: () => number): JwtVerifier {
  const { cache } = config;
  return new JwtVerifier(issuers, {
    maxTokenBytes: config.max_token_bytes,
    cache: cache.enabled ? new VerifiedTokenCache<VerifiedJwt>({ maxEntries: cache.max_entries, ttlMs: cache.ttl_ms, now }) : undefined,
    now,
  });
}
