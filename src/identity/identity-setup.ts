import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { TollgateConfig } from '../config/schema.js';
import type { Authenticator, DelegationResolver } from '../core/pipeline.js';
import type { ApiKeyAuthenticator } from './api-keys.js';
import { OnBehalfOfResolver } from './delegation.js';
import { JwtAuthenticator } from './jwt.js';
import { trustIssuers, type TrustedIssuer } from './jwt-issuers.js';
import { JwtVerifier, type VerifiedJwt } from './jwt-verifier.js';
import { MtlsAuthenticator } from './mtls.js';
import { VerifiedTokenCache } from './token-cache.js';
import { TrustedProxies } from '../common/trusted-proxies.js';

export interface IdentityDeps {
  config: TollgateConfig;
  /** The API key authenticator, when a key file is configured. */
  apiKeys?: ApiKeyAuthenticator;
  now: () => number;
  log: Logger;
  registry: Registry;
}

/** Authenticators in configured order, the delegation resolver, and the JWKS lifecycle. */
export class Identity {
  readonly authenticators: Authenticator[];
  readonly delegation: DelegationResolver;
  readonly verifier?: JwtVerifier;
  private readonly issuers: ReadonlyMap<string, TrustedIssuer>;

  constructor(deps: IdentityDeps) {
    const { identity } = deps.config;
    const fetches = new Counter({
      name: 'tollgate_jwks_fetches_total',
      help: 'JWKS and OIDC discovery fetches by issuer and result; failures keep the last good keys serving.',
      labelNames: ['issuer', 'result'] as const,
      registers: [deps.registry],
    });
    const keys = new Gauge({
      name: 'tollgate_jwks_keys',
      help: 'Keys in the last good JWKS of each issuer.',
      labelNames: ['issuer'] as const,
      registers: [deps.registry],
    });
    const keyReloads = new Counter({
      name: 'tollgate_keys_reloads_total',
      help: 'Key file re-reads by result; a failure keeps only last good keys the new file still has unchanged, with its revocations.',
      labelNames: ['result'] as const,
      registers: [deps.registry],
    });
    deps.apiKeys?.onReloadResult((result) => keyReloads.inc({ result }));
    this.issuers = trustIssuers(identity.jwt, {
      now: deps.now,
      onKeys: (issuer, count) => {
        fetches.inc({ issuer, result: 'success' });
        keys.set({ issuer }, count);
      },
      onKeysError: (issuer, err) => {
        fetches.inc({ issuer, result: 'failure' });
        deps.log.warn('JWKS fetch failed; keeping the last good keys within the staleness bound', { issuer, error: err.message });
      },
    });
    if (this.issuers.size > 0) {
      const { cache } = identity.jwt;
      this.verifier = new JwtVerifier(this.issuers, {
        maxTokenBytes: identity.jwt.max_token_bytes,
        cache: cache.enabled ? new VerifiedTokenCache<VerifiedJwt>({ maxEntries: cache.max_entries, ttlMs: cache.ttl_ms, now: deps.now }) : undefined,
        now: deps.now,
      });
    }
    const available: Record<string, Authenticator | undefined> = {
      api_key: deps.apiKeys,
      jwt: this.verifier && new JwtAuthenticator(this.verifier),
      mtls: new MtlsAuthenticator({ trustedProxies: new TrustedProxies(identity.mtls.trusted_proxies), models: identity.mtls.models }),
    };
    this.authenticators = identity.order.map((name) => available[name]).filter((a): a is Authenticator => a !== undefined);
    this.delegation = new OnBehalfOfResolver(identity.on_behalf_of.header, this.verifier);
  }

  /** Fetches every issuer's keys before Tollgate listens; a failure is logged and retried in the background. */
  async start(): Promise<void> {
    await Promise.all([...this.issuers.values()].map((issuer) => issuer.jwks?.start()));
  }

  /** Refetches every issuer's keys now (operators and tests; the timer does the same). */
  async refreshKeys(): Promise<void> {
    await Promise.all([...this.issuers.values()].map((issuer) => issuer.jwks?.refresh()));
  }

  stop(): void {
    for (const issuer of this.issuers.values()) issuer.jwks?.stop();
  }
}
