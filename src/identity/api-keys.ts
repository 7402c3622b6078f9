import { timingSafeEqual } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import { TollgateError } from '../core/errors.js';
import type { Authenticator } from '../core/pipeline.js';
import type { AuthzRequest, Principal } from '../core/types.js';
import { hashSecret, parseKeySecret, readKeyFile } from './key-file.js';

/** Headers OpenAI (Authorization: Bearer), Anthropic (x-api-key) and Azure (api-key) clients send keys in. */
const KEY_HEADERS = ['authorization', 'x-api-key', 'api-key'] as const;
const MAX_CREDENTIAL_BYTES = 8 * 1024;

/** Only what a check needs: the record's other fields (description, dates) are not kept per key. */
interface LoadedKey {
  disabled: boolean;
  hash: Buffer;
  expiresAtMs: number | null;
  principal: Principal;
}

export interface ApiKeyStoreOptions {
  file: string;
  pollIntervalMs: number;
  now?: () => number;
  onReload?: (count: number) => void;
  onReloadError?: (err: Error) => void;
}

/** Keys from the key file, re-read when it changes; a broken file keeps the last good set. */
export class ApiKeyAuthenticator implements Authenticator {
  readonly name = 'api_key';
  readonly credentialHeaders = KEY_HEADERS;
  private keys = new Map<string, LoadedKey>();
  private readonly now: () => number;

  constructor(private readonly options: ApiKeyStoreOptions) {
    this.now = options.now ?? Date.now;
    this.keys = loadKeys(options.file);
  }

  get size(): number {
    return this.keys.size;
  }

  watch(): void {
    watchFile(this.options.file, { interval: this.options.pollIntervalMs, persistent: false }, () => this.reload());
  }

  close(): void {
    unwatchFile(this.options.file);
  }

  reload(): void {
    try {
      this.keys = loadKeys(this.options.file);
      this.options.onReload?.(this.keys.size);
    } catch (err) {
      this.options.onReloadError?.(err as Error);
    }
  }

  authenticate(req: AuthzRequest): Principal | null {
    const secret = presentedKey(req.headers);
    if (secret === undefined) return null;
    if (secret.length > MAX_CREDENTIAL_BYTES) throw new TollgateError('ERR_CREDENTIAL_TOO_LARGE', 'credential is too large');
    const parsed = parseKeySecret(secret);
    const key = parsed && this.keys.get(parsed.id);
    if (!key || !timingSafeEqual(key.hash, Buffer.from(hashSecret(secret)))) {
      throw new TollgateError('ERR_CREDENTIAL_INVALID', 'API key is not valid');
    }
    if (key.disabled) throw new TollgateError('ERR_CREDENTIAL_REVOKED', 'API key has been revoked');
    if (key.expiresAtMs !== null && this.now() >= key.expiresAtMs) {
      throw new TollgateError('ERR_CREDENTIAL_EXPIRED', 'API key has expired');
    }
    return key.principal;
  }
}

/**
 * The API key a request carries, if any. A bearer token shaped like a JWT (three dot-separated
 * parts) is left for the JWT authenticator.
 */
export function presentedKey(headers: Record<string, string>): string | undefined {
  const auth = headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m && !looksLikeJwt(m[1])) return m[1];
  }
  return headers['x-api-key'] ?? headers['api-key'];
}

export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(token);
}

function loadKeys(file: string): Map<string, LoadedKey> {
  const keys = new Map<string, LoadedKey>();
  for (const record of readKeyFile(file)) {
    const expiresAtMs = record.expires_at ? Date.parse(record.expires_at) : null;
    if (expiresAtMs !== null && Number.isNaN(expiresAtMs)) throw new Error(`key ${record.id}: expires_at is not a date`);
    keys.set(record.id, {
      disabled: record.disabled,
      hash: Buffer.from(record.hash),
      expiresAtMs,
      principal: Object.freeze({
        kind: 'api_key' as const,
        subject: record.subject,
        keyId: record.id,
        scopes: record.scopes,
        models: record.models,
        groups: [],
        expiresAt: expiresAtMs === null ? undefined : Math.floor(expiresAtMs / 1000),
      }),
    });
  }
  return keys;
}
