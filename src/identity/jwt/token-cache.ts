import { hash } from 'node:crypto';
import { BoundedMap } from '../../common/bounded-map.js';

export interface TokenCacheOptions {
  maxEntries: number;
  ttlMs: number;
  now: () => number;
}

interface Entry<T> {
  value: T;
  validUntilMs: number;
}

/**
 * Already-verified tokens, keyed by a SHA-256 of the token so the cache never holds a credential.
 * An entry lasts until the earlier of the token's expiry and the TTL; expiry is checked on every hit.
 * Least recently used entries are evicted first.
 */
export class VerifiedTokenCache<T> {
  private readonly entries: BoundedMap<string, Entry<T>>;

  constructor(private readonly options: TokenCacheOptions) {
    this.entries = new BoundedMap(options.maxEntries);
  }

  static key(scope: string, token: string): string {
    // One-shot hash: no Hash object per request on the hot path. The NUL keeps scope and token apart.
    return hash('sha256', `${scope}\0${token}`, 'base64url');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.options.now() >= entry.validUntilMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** `expiresAtMs` is the token's own expiry (with clock tolerance). */
  set(key: string, value: T, expiresAtMs: number): void {
    const validUntilMs = Math.min(expiresAtMs, this.options.now() + this.options.ttlMs);
    if (validUntilMs <= this.options.now()) return;
    this.entries.set(key, { value, validUntilMs });
  }
}
