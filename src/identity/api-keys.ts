import { timingSafeEqual } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import { TollgateError } from '../core/errors.js';
import type { Authenticator } from '../core/pipeline.js';
import type { AuthzRequest, Principal } from '../core/types.js';
import { hashSecret, parseKeySecret, readableRecords, readKeyFile, type KeyRecord } from './key-file.js';
import { principalId } from './principal-id.js';

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

export type KeyReloadResult = 'success' | 'failure';

export interface ApiKeyStoreOptions {
  file: string;
  pollIntervalMs: number;
  now?: () => number;
  onReload?: (count: number) => void;
  onReloadError?: (err: Error) => void;
}

/**
 * Keys from the key file, re-read when it changes. A file that fails to load never adds or widens a
 * key, and never keeps one alive that it revokes: see reload.
 */
export class ApiKeyAuthenticator implements Authenticator {
  readonly name = 'api_key';
  readonly credentialHeaders = KEY_HEADERS;
  private keys = new Map<string, LoadedKey>();
  private readonly now: () => number;
  private readonly reloadListeners: Array<(result: KeyReloadResult) => void> = [];

  constructor(private readonly options: ApiKeyStoreOptions) {
    this.now = options.now ?? Date.now;
    this.keys = loadKeys(readKeyFile(options.file));
  }

  /** Called after every reload (metrics). */
  onReloadResult(listener: (result: KeyReloadResult) => void): void {
    this.reloadListeners.push(listener);
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

  /**
   * A file that loads replaces the key set. One that fails (a bad line, bad YAML) cannot be trusted
   * to add or widen keys, but what it says against a key still counts: each last-good key is kept
   * only if the file still has a valid record for it with the same secret, subject, models and
   * scopes, and then takes that record's revocation and earlier expiry. Keys it dropped, garbled or
   * changed otherwise stop working until the file loads again.
   */
  reload(): void {
    let result: KeyReloadResult = 'success';
    try {
      this.keys = loadKeys(readKeyFile(this.options.file));
      this.options.onReload?.(this.keys.size);
    } catch (err) {
      result = 'failure';
      this.keys = restrictedBy(this.keys, readableRecords(this.options.file));
      this.options.onReloadError?.(err as Error);
    }
    for (const listener of this.reloadListeners) listener(result);
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

function loadKeys(records: KeyRecord[]): Map<string, LoadedKey> {
  const keys = new Map<string, LoadedKey>();
  for (const record of records) {
    // The schema checked that it parses as a date.
    const expiresAtMs = record.expires_at ? Date.parse(record.expires_at) : null;
    keys.set(record.id, {
      disabled: record.disabled,
      hash: Buffer.from(record.hash),
      expiresAtMs,
      principal: Object.freeze({
        kind: 'api_key' as const,
        id: principalId('api_key', record.subject),
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

/** The last good keys, as restricted by the readable records of a file that failed to load (see reload). */
function restrictedBy(current: Map<string, LoadedKey>, readable: Map<string, KeyRecord>): Map<string, LoadedKey> {
  const kept: KeyRecord[] = [];
  for (const [id, key] of current) {
    const record = readable.get(id);
    if (!record || !sameGrant(key, record)) continue;
    const stated = record.expires_at === null ? null : Date.parse(record.expires_at);
    const earliest = [key.expiresAtMs, stated].filter((t): t is number => t !== null);
    kept.push({
      ...record,
      disabled: key.disabled || record.disabled,
      expires_at: earliest.length === 0 ? null : new Date(Math.min(...earliest)).toISOString(),
    });
  }
  return loadKeys(kept);
}

function sameGrant(key: LoadedKey, record: KeyRecord): boolean {
  const p = key.principal;
  return key.hash.toString() === record.hash && p.subject === record.subject
    && JSON.stringify(p.models) === JSON.stringify(record.models) && JSON.stringify(p.scopes) === JSON.stringify(record.scopes);
}
