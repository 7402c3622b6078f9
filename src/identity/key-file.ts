import { hash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TollgateError } from '../core/errors.js';
import { isObject } from '../core/is-object.js';
import { withFileLock } from './file-lock.js';

const positiveInt = z.number().int().positive();
const date = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
const secretHash = z.string().regex(/^sha256:[0-9a-f]{64}$/);

/** The periods a token budget can be counted over. */
export const TOKEN_BUDGET_PERIODS = ['1m', '1h', '1d', '30d', '1mo'] as const;
export type TokenBudgetPeriod = (typeof TOKEN_BUDGET_PERIODS)[number];

/** Per-key limits: requests and tokens per minute, and a token budget per period. */
export const keyLimitsSchema = z.strictObject({
  rpm: positiveInt.optional(),
  tpm: positiveInt.optional(),
  token_budget: z.strictObject({ tokens: positiveInt, period: z.enum(TOKEN_BUDGET_PERIODS) }).optional(),
});
export type KeyLimits = z.infer<typeof keyLimitsSchema>;

/** A stored API key: the secret itself is never stored, only its SHA-256. */
export const keyRecordSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]{12}$/),
  hash: secretHash,
  subject: z.string().min(1),
  models: z.array(z.string()).default([]),
  scopes: z.array(z.string()).default([]),
  /** Tool-name globs, matched like models. */
  tools: z.array(z.string()).default([]),
  limits: keyLimitsSchema.optional(),
  description: z.string().optional(),
  created_at: z.string(),
  expires_at: date.nullable().default(null),
  disabled: z.boolean().default(false),
  revoked_at: z.string().nullable().optional(),
  rotated_at: z.string().optional(),
  /** The secret the last rotation replaced, accepted until `valid_until` (the grace period). */
  previous: z.strictObject({ hash: secretHash, valid_until: date }).optional(),
});
export type KeyRecord = z.infer<typeof keyRecordSchema>;
/** A record as it may be written: fields with defaults may be left out. */
export type KeyRecordInput = z.input<typeof keyRecordSchema>;

/** Secrets look like tg_<12-char id>_<43-char base64url>; the id makes lookup O(1) and shows in logs. */
const SECRET_PATTERN = /^tg_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function parseKeySecret(secret: string): { id: string } | undefined {
  const m = SECRET_PATTERN.exec(secret);
  return m ? { id: m[1] } : undefined;
}

/** The stored form of a secret: `sha256:<hex>`. */
export function hashSecret(secret: string): string {
  return `sha256:${hash('sha256', secret, 'hex')}`;
}

/** A new secret for a new key, or for key `id` (a rotation keeps the id). */
export function newKeySecret(id = newKeyId()): { id: string; secret: string } {
  return { id, secret: `tg_${id}_${randomBytes(32).toString('base64url')}` };
}

function newKeyId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(12), (b) => alphabet[b % alphabet.length]).join('');
}

/** The file's text; a missing file is an empty one. */
function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/**
 * Reads and validates a key file; a missing file is an empty one. An unreadable file, text that is
 * not YAML, a bad record (named by its key path) or a duplicate id is ERR_KEY_FILE_INVALID.
 */
export function readKeyFile(path: string): KeyRecord[] {
  let keys: KeyRecord[] = [];
  readKeyRecords(path, () => {
    keys = [];
    const ids = new Set<string>();
    return (record) => {
      if (ids.has(record.id)) return false;
      ids.add(record.id);
      keys.push(record);
      return true;
    };
  });
  return keys;
}

/** Takes a valid record; false when its id was already taken. */
export type KeyRecordSink = (record: KeyRecord) => boolean;

/**
 * Hands every record of a key file, validated, to a sink, in file order; errors as readKeyFile's.
 * writeKeyFile's layout is read a chunk at a time with one JSON.parse a line, so neither the whole
 * text nor every record is held at once (1M keys load in seconds). Other text is parsed whole as YAML,
 * slower (hand-written files are small). `begin` gives the sink, and is called again, for a fresh
 * one, when text that started in the line layout turns out to be YAML.
 */
export function readKeyRecords(path: string, begin: () => KeyRecordSink): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw invalidKeyFile(path, (err as Error).message, err);
    begin();
    return;
  }
  try {
    if (!readLineLayout(path, fd, begin())) readYaml(path, wholeText(fd), begin());
  } catch (err) {
    throw err instanceof TollgateError ? err : invalidKeyFile(path, (err as Error).message, err);
  } finally {
    closeSync(fd);
  }
}

/** False as soon as a line is not in writeKeyFile's layout. */
function readLineLayout(path: string, fd: number, sink: KeyRecordSink): boolean {
  let state: 'start' | 'keys' | 'none' = 'start';
  let index = 0;
  for (const line of lines(fd)) {
    if (line === '' || line.startsWith('#')) continue;
    if (state === 'start' && (line === 'keys:' || line === 'keys: []')) {
      state = line === 'keys:' ? 'keys' : 'none';
      continue;
    }
    if (state !== 'keys' || !line.startsWith('  - {') || !line.endsWith('}')) return false;
    let item: unknown;
    try {
      item = JSON.parse(line.slice(4));
    } catch {
      return false;
    }
    addRecord(path, item, index++, sink);
  }
  return state !== 'start';
}

const yamlDocumentSchema = z.strictObject({ keys: z.array(z.unknown()).default([]) });

function readYaml(path: string, text: string, sink: KeyRecordSink): void {
  const parsed = yamlDocumentSchema.safeParse(parseYaml(text) ?? {});
  if (!parsed.success) throw invalidKeyFile(path, issueText([], parsed.error.issues[0]));
  parsed.data.keys.forEach((item, index) => addRecord(path, item, index, sink));
}

function addRecord(path: string, item: unknown, index: number, sink: KeyRecordSink): void {
  const parsed = keyRecordSchema.safeParse(item);
  if (!parsed.success) throw invalidKeyFile(path, issueText(['keys', index], parsed.error.issues[0]));
  if (!sink(parsed.data)) throw invalidKeyFile(path, `duplicate key id ${parsed.data.id}`);
}

function issueText(at: PropertyKey[], issue: z.core.$ZodIssue): string {
  return `${[...at, ...issue.path].map(String).join('.')}: ${issue.message}`;
}

const CHUNK_BYTES = 1 << 20;

function* lines(fd: number): Generator<string> {
  let rest = '';
  for (const chunk of textChunks(fd)) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    yield* parts;
  }
  if (rest !== '') yield rest;
}

/** The file from its start (positioned reads: a fallback to YAML reads it again). */
function* textChunks(fd: number): Generator<string> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const decoder = new StringDecoder('utf8');
  for (let position = 0, n; (n = readSync(fd, buffer, 0, CHUNK_BYTES, position)) > 0; position += n) {
    yield decoder.write(buffer.subarray(0, n));
  }
  yield decoder.end();
}

function wholeText(fd: number): string {
  return [...textChunks(fd)].join('');
}

function invalidKeyFile(path: string, detail: string, cause?: unknown): TollgateError {
  return new TollgateError('ERR_KEY_FILE_INVALID', `key file ${path}: ${detail}`, { cause });
}

const HEADER = '# Tollgate API keys, managed by `tollgate keys`. Only SHA-256 hashes of secrets are stored.\n'
  + '# One key per line (a JSON object, which is YAML too); block-style YAML written by hand is read as well.\n';

/**
 * Atomic replace (write, fsync, rename), readable by the owner only. Alone it is not safe against a
 * concurrent change: changes go through updateKeyFile.
 */
export function writeKeyFile(path: string, keys: KeyRecordInput[]): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const body = keys.length === 0 ? 'keys: []\n' : `keys:\n${keys.map((k) => `  - ${JSON.stringify(k)}\n`).join('')}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, HEADER + body);
    // On disk before it replaces the file: a crash must not leave a revocation only in the page cache.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Read-modify-write under the file's exclusive lock, so concurrent changes are never lost. */
export function updateKeyFile(path: string, change: (keys: KeyRecord[]) => KeyRecord[]): void {
  withFileLock(path, () => writeKeyFile(path, change(readKeyFile(path))));
}

/**
 * What a key file that fails to load still says, record by record: every record that is valid on
 * its own, by id. Ids that appear more than once are left out (which one is meant is unknown). For
 * text that is not even YAML, the lines in writeKeyFile's layout that still parse are read.
 */
export function readableRecords(path: string): Map<string, KeyRecord> {
  let items: unknown[];
  try {
    const text = readText(path);
    try {
      const doc = parseKeyFileText(text);
      items = isObject(doc) && Array.isArray(doc.keys) ? doc.keys : [];
    } catch {
      items = text.split('\n').map((line) => line.trimEnd()).filter((line) => line.startsWith('  - {')).map(jsonOrUndefined);
    }
  } catch {
    return new Map();
  }
  const records = new Map<string, KeyRecord>();
  const duplicates = new Set<string>();
  for (const item of items) {
    const parsed = keyRecordSchema.safeParse(item);
    if (!parsed.success) continue;
    if (records.has(parsed.data.id)) duplicates.add(parsed.data.id);
    records.set(parsed.data.id, parsed.data);
  }
  for (const id of duplicates) records.delete(id);
  return records;
}

function jsonOrUndefined(line: string): unknown {
  try {
    return JSON.parse(line.slice(4));
  } catch {
    return undefined;
  }
}

/**
 * The layout writeKeyFile produces is read line by line with JSON.parse (100k keys in well under a
 * second, where the YAML library takes tens of seconds and over a GB); any other text is YAML.
 */
export function parseKeyFileText(text: string): unknown {
  const keys: unknown[] = [];
  let seenHeader = false;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    if (!seenHeader) {
      if (line === 'keys: []') return { keys };
      if (line !== 'keys:') return parseYaml(text);
      seenHeader = true;
    } else if (line.startsWith('  - {') && line.endsWith('}')) {
      try {
        keys.push(JSON.parse(line.slice(4)));
      } catch {
        return parseYaml(text);
      }
    } else {
      return parseYaml(text);
    }
  }
  return seenHeader ? { keys } : parseYaml(text);
}
