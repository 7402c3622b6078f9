import { createHash, hash } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import { TollgateError } from '../core/errors.js';
import type { Authenticator } from '../core/pipeline-ports.js';
import type { AuthzRequest, Principal } from '../core/types.js';
import { opaqueCredential, STANDARD_CREDENTIAL_HEADERS } from './credentials.js';
import { parseKeySecret, readableRecords, readKeyRecords, type KeyRecord } from './key-file.js';
import { grantText, KeyIndex, KeyIndexBuilder } from './key-index.js';

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
  private keys: KeyIndex;
  /** SHA-256 of the keys in force (not of the file: a failed load keeps a restricted set); computed when first asked. */
  private keysSha256: string | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ApiKeyStoreOptions) {
    this.now = options.now ?? Date.now;
    this.keys = loadKeys(options.file);
  }

  get size(): number {
    return this.keys.size;
  }

  /** Equal in two processes when they accept the same keys with the same grants: cluster workers compare it. */
  get sha256(): string {
    this.keysSha256 ??= fingerprint(this.keys);
    return this.keysSha256;
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
  reload(): Error | null {
    try {
      this.keys = loadKeys(this.options.file);
    } catch (err) {
      this.keys = restrictedBy(this.keys, readableRecords(this.options.file));
      this.keysSha256 = undefined;
      this.options.onReloadError?.(err as Error);
      return err as Error;
    }
    this.keysSha256 = undefined;
    this.options.onReload?.(this.keys.size);
    return null;
  }

  authenticate(req: AuthzRequest): Principal | null {
    const secret = opaqueCredential(req.headers) ?? '';
    const parsed = parseKeySecret(secret);
    // Another shape is another authenticator's; one nobody accepts is still a 401 (the pipeline's rule).
    if (!parsed) return null;
    const keys = this.keys;
    const key = keys.find(parsed.id);
    // One-shot hash: no Hash object per check.
    if (!key || !keys.matches(key, hash('sha256', secret, 'buffer'), this.now())) {
      throw new TollgateError('ERR_CREDENTIAL_INVALID', 'API key is not valid');
    }
    if (keys.disabled(key)) throw new TollgateError('ERR_CREDENTIAL_REVOKED', 'API key has been revoked');
    if (keys.expired(key, this.now())) throw new TollgateError('ERR_CREDENTIAL_EXPIRED', 'API key has expired');
    return keys.principal(key);
  }

  /** The caller a key id stands for while the key is valid; null when unknown, revoked or expired. */
  principalForKeyId(id: string): Principal | null {
    const keys = this.keys;
    const key = keys.find(id);
    if (!key || keys.disabled(key) || keys.expired(key, this.now())) return null;
    return keys.principal(key);
  }
}

/** The key file as a compact index, built record by record (the records themselves are not kept). */
function loadKeys(file: string): KeyIndex {
  let builder = new KeyIndexBuilder();
  readKeyRecords(file, () => {
    builder = new KeyIndexBuilder();
    return (record) => builder.add(record);
  });
  return builder.build();
}

function fingerprint(keys: KeyIndex): string {
  const digest = createHash('sha256');
  for (const record of keys.records()) digest.update(JSON.stringify(record)).update('\n');
  return digest.digest('hex');
}

/** The last good keys, as restricted by the readable records of a file that failed to load (see reload). */
function restrictedBy(current: KeyIndex, readable: Map<string, KeyRecord>): KeyIndex {
  const kept = new KeyIndexBuilder();
  for (const key of current.records()) {
    const record = readable.get(key.id);
    if (!record || !sameGrant(key, record)) continue;
    const earliest = [key.expires_at, record.expires_at].filter((t): t is string => t !== null).map(Date.parse);
    kept.add({
      ...record,
      disabled: key.disabled || record.disabled,
      expires_at: earliest.length === 0 ? null : new Date(Math.min(...earliest)).toISOString(),
      previous: keptPrevious(key, record),
    });
  }
  return kept.build();
}

/** A file that fails to load may end a replaced secret's grace period early, never start or extend one. */
function keptPrevious(key: KeyRecord, record: KeyRecord): KeyRecord['previous'] {
  if (!key.previous || record.previous?.hash !== key.previous.hash) return undefined;
  return { hash: record.previous.hash, valid_until: new Date(Math.min(Date.parse(key.previous.valid_until), Date.parse(record.previous.valid_until))).toISOString() };
}

function sameGrant(key: KeyRecord, record: KeyRecord): boolean {
  return key.hash === record.hash && key.subject === record.subject && grantText(key) === grantText(record);
}
