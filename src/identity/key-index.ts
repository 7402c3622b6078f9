import { timingSafeEqual } from 'node:crypto';
import type { Principal } from '../core/types.js';
import type { KeyLimits, KeyRecord } from './key-file.js';
import { KeyIdTable } from './key-id-table.js';
import { principalId } from './principal-id.js';
import { toolsFromScopes } from './tool-grants.js';
import { Utf8Column } from './utf8-column.js';

const HASH_BYTES = 32;
const NO_EXPIRY = Number.POSITIVE_INFINITY;
/**
 * Principals of recently used keys are kept, one per slot modulo this (no map work per check), so a
 * busy key's decisions share one object and its strings.
 */
const RECENT_PRINCIPALS = 1024;

/** What a key may do beyond its subject; every key with the same grant shares one. */
interface Grant {
  readonly models: string[];
  readonly scopes: string[];
  /** The record's own tool globs. */
  readonly tools: string[];
  /** Those and the `tool:` scopes': what the principal carries. */
  readonly allowedTools: string[];
  readonly limits?: KeyLimits;
  /** The grant as text, which interns it. */
  readonly text: string;
}

/** A rotation's replaced secret, accepted until untilMs. Few keys have one, so these are kept apart. */
interface Previous {
  hash: Buffer;
  untilMs: number;
}

/** A key as a check sees it: its slot in the index. */
export interface IndexedKey {
  readonly id: string;
  readonly slot: number;
}

/**
 * The loaded API keys, compact and off the V8 heap: per key its id (in a KeyIdTable, which gives its
 * slot), 32 hash bytes, its subject as UTF-8, the index of its (shared) grant, its expiry and whether
 * it is disabled, each in one buffer or typed array. ~90 B a key and no object or string per key, so
 * neither the heap nor the headroom V8 keeps above it grows with the key count. A Principal is built
 * when a key is used (recent ones are kept).
 */
export class KeyIndex {
  private readonly ids: KeyIdTable;
  private readonly hashes: Buffer;
  private readonly subjects: Utf8Column;
  private readonly grantIndexes: Uint32Array;
  private readonly grants: Grant[];
  private readonly expiries: Float64Array;
  private readonly disabledFlags: Uint8Array;
  private readonly previous: Map<number, Previous>;
  private readonly principals = new Array<Principal | undefined>(RECENT_PRINCIPALS);

  /** Built by KeyIndexBuilder. */
  constructor(parts: KeyIndexParts) {
    ({ ids: this.ids, hashes: this.hashes, subjects: this.subjects, grantIndexes: this.grantIndexes, grants: this.grants,
      expiries: this.expiries, disabledFlags: this.disabledFlags, previous: this.previous } = parts);
  }

  get size(): number {
    return this.ids.size;
  }

  find(id: string): IndexedKey | undefined {
    const slot = this.ids.find(id);
    return slot === -1 ? undefined : { id, slot };
  }

  /** The presented secret's SHA-256 matches the key's hash, or its replaced one within the grace period. */
  matches({ slot }: IndexedKey, presented: Buffer, now: number): boolean {
    if (timingSafeEqual(this.hashes.subarray(slot * HASH_BYTES, (slot + 1) * HASH_BYTES), presented)) return true;
    const previous = this.previous.get(slot);
    return previous !== undefined && now < previous.untilMs && timingSafeEqual(previous.hash, presented);
  }

  disabled({ slot }: IndexedKey): boolean {
    return this.disabledFlags[slot] === 1;
  }

  expired({ slot }: IndexedKey, now: number): boolean {
    return now >= this.expiries[slot];
  }

  principal(key: IndexedKey): Principal {
    const recent = this.principals[key.slot % RECENT_PRINCIPALS];
    if (recent?.keyId === key.id) return recent;
    const principal = this.newPrincipal(key);
    this.principals[key.slot % RECENT_PRINCIPALS] = principal;
    return principal;
  }

  private newPrincipal({ id, slot }: IndexedKey): Principal {
    const subject = this.subjects.get(slot);
    const grant = this.grants[this.grantIndexes[slot]];
    const expiresAtMs = this.expiries[slot];
    return Object.freeze({
      kind: 'api_key' as const,
      id: principalId('api_key', subject),
      subject,
      keyId: id,
      scopes: grant.scopes,
      models: grant.models,
      tools: grant.allowedTools,
      groups: [],
      expiresAt: expiresAtMs === NO_EXPIRY ? undefined : Math.floor(expiresAtMs / 1000),
      // Enforced at admission (src/limits) with every other applicable limit.
      ...(grant.limits && { limits: grant.limits }),
    });
  }

  /** Every key as a record again (without the dates a check does not keep): for a reload that fails. */
  *records(): Generator<KeyRecord> {
    for (let slot = 0; slot < this.ids.size; slot++) {
      const id = this.ids.id(slot);
      const grant = this.grants[this.grantIndexes[slot]];
      const previous = this.previous.get(slot);
      const expiresAtMs = this.expiries[slot];
      yield {
        id,
        hash: hashText(this.hashes.subarray(slot * HASH_BYTES, (slot + 1) * HASH_BYTES)),
        subject: this.subjects.get(slot),
        models: grant.models,
        scopes: grant.scopes,
        tools: grant.tools,
        ...(grant.limits && { limits: grant.limits }),
        created_at: '',
        expires_at: expiresAtMs === NO_EXPIRY ? null : new Date(expiresAtMs).toISOString(),
        disabled: this.disabled({ id, slot }),
        ...(previous && { previous: { hash: hashText(previous.hash), valid_until: new Date(previous.untilMs).toISOString() } }),
      };
    }
  }
}

/** A KeyIndex's columns: slot i of each is the key whose id has slot i. */
interface KeyIndexParts {
  ids: KeyIdTable;
  hashes: Buffer;
  subjects: Utf8Column;
  grantIndexes: Uint32Array;
  grants: Grant[];
  expiries: Float64Array;
  disabledFlags: Uint8Array;
  previous: Map<number, Previous>;
}

/** Fills a KeyIndex record by record, growing its columns by doubling, and trims them at the end. */
export class KeyIndexBuilder {
  private readonly ids = new KeyIdTable();
  private readonly subjects = new Utf8Column();
  private readonly grants: Grant[] = [];
  private readonly grantSlots = new Map<string, number>();
  private readonly previous = new Map<number, Previous>();
  private hashes = Buffer.alloc(1024 * HASH_BYTES);
  private grantIndexes = new Uint32Array(1024);
  private expiries = new Float64Array(1024);
  private disabledFlags = new Uint8Array(1024);

  /** False when the id is already in the index. */
  add(record: KeyRecord): boolean {
    const slot = this.ids.add(record.id);
    if (slot === -1) return false;
    if (slot === this.grantIndexes.length) this.grow();
    this.hashes.write(record.hash.slice('sha256:'.length), slot * HASH_BYTES, HASH_BYTES, 'hex');
    this.subjects.push(record.subject);
    this.grantIndexes[slot] = this.grantIndex(record);
    // The schema checked that the dates parse.
    this.expiries[slot] = record.expires_at ? Date.parse(record.expires_at) : NO_EXPIRY;
    this.disabledFlags[slot] = record.disabled ? 1 : 0;
    if (record.previous) this.previous.set(slot, { hash: hashBytes(record.previous.hash), untilMs: Date.parse(record.previous.valid_until) });
    return true;
  }

  build(): KeyIndex {
    const n = this.ids.size;
    // Copies, so the spare capacity is freed rather than kept alive by a view.
    return new KeyIndex({
      ids: this.ids.trimmed(), hashes: Buffer.concat([this.hashes.subarray(0, n * HASH_BYTES)]), subjects: this.subjects.trimmed(),
      grantIndexes: this.grantIndexes.slice(0, n), grants: this.grants, expiries: this.expiries.slice(0, n),
      disabledFlags: this.disabledFlags.slice(0, n), previous: this.previous,
    });
  }

  private grantIndex(record: KeyRecord): number {
    const text = grantText(record);
    let index = this.grantSlots.get(text);
    if (index === undefined) {
      index = this.grants.length;
      this.grantSlots.set(text, index);
      this.grants.push(Object.freeze({
        models: Object.freeze(record.models) as string[],
        scopes: Object.freeze(record.scopes) as string[],
        tools: Object.freeze(record.tools) as string[],
        allowedTools: Object.freeze([...new Set([...record.tools, ...toolsFromScopes(record.scopes)])]) as string[],
        ...(record.limits && { limits: record.limits }),
        text,
      }));
    }
    return index;
  }

  private grow(): void {
    const capacity = this.grantIndexes.length * 2;
    const hashes = Buffer.alloc(capacity * HASH_BYTES);
    this.hashes.copy(hashes);
    this.hashes = hashes;
    this.grantIndexes = grown(this.grantIndexes, new Uint32Array(capacity));
    this.expiries = grown(this.expiries, new Float64Array(capacity));
    this.disabledFlags = grown(this.disabledFlags, new Uint8Array(capacity));
  }
}

function grown<T extends Uint32Array | Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Models, scopes, tools and limits: what a key may do besides acting as its subject. */
export function grantText(record: KeyRecord): string {
  return JSON.stringify([record.models, record.scopes, record.tools, record.limits ?? null]);
}

/** `sha256:<hex>` (the key file's form) as its 32 bytes. */
export function hashBytes(text: string): Buffer {
  return Buffer.from(text.slice('sha256:'.length), 'hex');
}

function hashText(bytes: Buffer): string {
  return `sha256:${bytes.toString('hex')}`;
}
