import { timingSafeEqual } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import { TollgateError } from '../core/errors.js';
import type { Authenticator } from '../core/pipeline-ports.js';
import type { AuthzRequest, Principal } from '../core/types.js';
import { opaqueCredential, STANDARD_CREDENTIAL_HEADERS } from './credentials.js';
import { hashSecret, parseKeySecret, readableRecords, readKeyFile, type KeyRecord } from './key-file.js';
import { principalId } from './principal-id.js';
import { toolsFromScopes } from './tool-grants.js';

/** Only what a check needs: the record's other fields (description, dates) are not kept per key. */
interface LoadedKey {
  disabled: boolean;
  hash: Buffer;
  /** The secret a rotation replaced, accepted until untilMs. */
  previous?: { hash: Buffer; untilMs: number };
  expiresAtMs: number | null;
  principal: Principal;
  /** What the key may do, as text: a failed reload keeps a key only if this is unchanged. */
  grant: string;
}

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
  readonly credentialHeaders = STANDARD_CREDENTIAL_HEADERS;
  private keys = new Map<string, LoadedKey>();
  private readonly now: () => number;

  constructor(private readonly options: ApiKeyStoreOptions) {
    this.now = options.now ?? Date.now;
    this.keys = loadKeys(readKeyFile(options.file));
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
   * only if the file still has a valid record for it with the same secret and grant (subject,
   * models, scopes, tools, limits), and then takes that record's revocation, earlier expiry and
   * earlier end of a rotation's grace period. Keys it dropped, garbled or changed otherwise stop
   * working until the file loads again.
   */
  reload(): void {
    try {
      this.keys = loadKeys(readKeyFile(this.options.file));
    } catch (err) {
      this.keys = restrictedBy(this.keys, readableRecords(this.options.file));
      this.options.onReloadError?.(err as Error);
      return;
    }
    this.options.onReload?.(this.keys.size);
  }

  authenticate(req: AuthzRequest): Principal | null {
    const secret = opaqueCredential(req.headers) ?? '';
    const parsed = parseKeySecret(secret);
    // Another shape is another authenticator's; one nobody accepts is still a 401 (the pipeline's rule).
    if (!parsed) return null;
    const key = this.keys.get(parsed.id);
    if (!key || !matches(key, Buffer.from(hashSecret(secret)), this.now())) {
      throw new TollgateError('ERR_CREDENTIAL_INVALID', 'API key is not valid');
    }
    if (key.disabled) throw new TollgateError('ERR_CREDENTIAL_REVOKED', 'API key has been revoked');
    if (key.expiresAtMs !== null && this.now() >= key.expiresAtMs) {
      throw new TollgateError('ERR_CREDENTIAL_EXPIRED', 'API key has expired');
    }
    return key.principal;
  }

  /** The caller a key id stands for while the key is valid; null when unknown, revoked or expired. */
  principalForKeyId(id: string): Principal | null {
    const key = this.keys.get(id);
    if (!key || key.disabled || (key.expiresAtMs !== null && this.now() >= key.expiresAtMs)) return null;
    return key.principal;
  }
}

function matches(key: LoadedKey, presented: Buffer, now: number): boolean {
  if (timingSafeEqual(key.hash, presented)) return true;
  return key.previous !== undefined && now < key.previous.untilMs && timingSafeEqual(key.previous.hash, presented);
}

function loadKeys(records: KeyRecord[]): Map<string, LoadedKey> {
  const keys = new Map<string, LoadedKey>();
  for (const record of records) {
    // The schema checked that it parses as a date.
    const expiresAtMs = record.expires_at ? Date.parse(record.expires_at) : null;
    keys.set(record.id, {
      disabled: record.disabled,
      hash: Buffer.from(record.hash),
      ...(record.previous && { previous: { hash: Buffer.from(record.previous.hash), untilMs: Date.parse(record.previous.valid_until) } }),
      expiresAtMs,
      grant: grantOf(record),
      principal: Object.freeze({
        kind: 'api_key' as const,
        id: principalId('api_key', record.subject),
        subject: record.subject,
        keyId: record.id,
        scopes: record.scopes,
        models: record.models,
        tools: [...new Set([...record.tools, ...toolsFromScopes(record.scopes)])],
        groups: [],
        expiresAt: expiresAtMs === null ? undefined : Math.floor(expiresAtMs / 1000),
        // Enforced at admission (src/limits) with every other applicable limit.
        ...(record.limits && { limits: record.limits }),
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
      previous: keptPrevious(key, record),
    });
  }
  return loadKeys(kept);
}

/** A file that fails to load may end a replaced secret's grace period early, never start or extend one. */
function keptPrevious(key: LoadedKey, record: KeyRecord): KeyRecord['previous'] {
  if (!key.previous || record.previous?.hash !== key.previous.hash.toString()) return undefined;
  return { hash: record.previous.hash, valid_until: new Date(Math.min(key.previous.untilMs, Date.parse(record.previous.valid_until))).toISOString() };
}

function sameGrant(key: LoadedKey, record: KeyRecord): boolean {
  return key.hash.toString() === record.hash && key.grant === grantOf(record);
}

function grantOf(record: KeyRecord): string {
  return JSON.stringify([record.subject, record.models, record.scopes, record.tools, record.limits ?? null]);
}
