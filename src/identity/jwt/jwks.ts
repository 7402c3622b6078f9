import type { CompactJWSHeaderParameters, FlattenedJWSInput, JSONWebKeySet, LocalJWKSet } from 'jose';
import { jose } from '../../common/jose.js';
import { TollgateError } from '../../core/errors.js';

export interface JwksCacheOptions {
  issuer: string;
  /** The JWKS URL: configured, or read from OIDC discovery. Retried on every refresh until it succeeds. */
  locate: () => Promise<string>;
  fetchJson: (url: string) => Promise<unknown>;
  refreshIntervalMs: number;
  maxStalenessMs: number;
  refetchCooldownMs: number;
  now: () => number;
  onRefresh: (keyCount: number) => void;
  onRefreshError: (err: Error) => void;
}

/**
 * One issuer's signing keys. jose's remote JWKS drops its keys when a refetch fails, so the fetch
 * is ours and jose only selects and imports keys (createLocalJWKSet): the last good set keeps
 * serving through an endpoint outage until it is older than maxStalenessMs.
 */
export class JwksCache {
  private keySet?: LocalJWKSet;
  private jwksUrl?: string;
  private fetchedAt = -Infinity;
  private lastAttempt = -Infinity;
  private inflight?: Promise<boolean>;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: JwksCacheOptions) {}

  /** First fetch (awaited before Tollgate listens), then a background refresh timer. */
  start(): Promise<boolean> {
    this.timer ??= setInterval(() => void this.refresh(), this.options.refreshIntervalMs).unref();
    return this.refresh();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One fetch at a time; never throws; a failure keeps the last good keys. */
  refresh(): Promise<boolean> {
    this.inflight ??= this.fetchKeys().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** The jose key resolver: last good keys within the staleness bound; an unknown kid may refetch once. */
  readonly getKey = async (header: CompactJWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    if (!this.usable() && this.mayRefetch()) await this.refresh();
    if (!this.keySet || !this.usable()) throw this.unavailable();
    try {
      return await this.keySet(header, token);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || !this.mayRefetch()) throw err;
      await this.refresh();
      if (!this.usable()) throw this.unavailable();
      return this.keySet(header, token);
    }
  };

  private usable(): boolean {
    return this.keySet !== undefined && this.options.now() - this.fetchedAt <= this.options.maxStalenessMs;
  }

  /** Request-driven fetches are rate limited so forged kids cannot turn into a fetch storm. */
  private mayRefetch(): boolean {
    return this.inflight !== undefined || this.options.now() - this.lastAttempt >= this.options.refetchCooldownMs;
  }

  private unavailable(): TollgateError {
    return new TollgateError('ERR_JWKS_UNAVAILABLE', `no signing keys for ${this.options.issuer} fetched within the staleness bound`);
  }

  private async fetchKeys(): Promise<boolean> {
    this.lastAttempt = this.options.now();
    try {
      this.jwksUrl ??= await this.options.locate();
      const doc = await this.options.fetchJson(this.jwksUrl);
      this.keySet = (await jose()).createLocalJWKSet(doc as JSONWebKeySet);
      this.fetchedAt = this.options.now();
      this.options.onRefresh((doc as JSONWebKeySet).keys.length);
      return true;
    } catch (err) {
      this.options.onRefreshError(err instanceof Error ? err : new Error(String(err)));
      return false;
    }
  }
}
