import { hash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** A stored API key: the secret itself is never stored, only its SHA-256. */
export const keyRecordSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]{12}$/),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  subject: z.string().min(1),
  models: z.array(z.string()).default([]),
  scopes: z.array(z.string()).default([]),
  description: z.string().optional(),
  created_at: z.string(),
  expires_at: z.string().nullable().default(null),
  disabled: z.boolean().default(false),
  revoked_at: z.string().nullable().optional(),
});
export type KeyRecord = z.infer<typeof keyRecordSchema>;

const keyFileSchema = z.strictObject({ keys: z.array(keyRecordSchema).default([]) });

/** Secrets look like tg_<12-char id>_<43-char base64url>; the id makes lookup O(1) and shows in logs. */
const SECRET_PATTERN = /^tg_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function parseKeySecret(secret: string): { id: string } | undefined {
  const m = SECRET_PATTERN.exec(secret);
  return m ? { id: m[1] } : undefined;
}

export function hashSecret(secret: string): string {
  // One-shot hash: no Hash object per check (about 1 µs instead of 2.6 µs here).
  return `sha256:${hash('sha256', secret, 'hex')}`;
}

export function newKeySecret(): { id: string; secret: string } {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const id = Array.from(randomBytes(12), (b) => alphabet[b % alphabet.length]).join('');
  return { id, secret: `tg_${id}_${randomBytes(32).toString('base64url')}` };
}

/** Reads and validates a key file; a missing file is an empty one. Throws with the bad key path. */
export function readKeyFile(path: string): KeyRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const parsed = keyFileSchema.safeParse(parseKeyFileText(text) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`key file ${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const ids = new Set<string>();
  for (const key of parsed.data.keys) {
    if (ids.has(key.id)) throw new Error(`key file ${path}: duplicate key id ${key.id}`);
    ids.add(key.id);
  }
  return parsed.data.keys;
}

const HEADER = '# Tollgate API keys, managed by `tollgate keys`. Only SHA-256 hashes of secrets are stored.\n'
  + '# One key per line (a JSON object, which is YAML too); block-style YAML written by hand is read as well.\n';

/** Atomic replace (write then rename), readable by the owner only. */
export function writeKeyFile(path: string, keys: KeyRecord[]): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const body = keys.length === 0 ? 'keys: []\n' : `keys:\n${keys.map((k) => `  - ${JSON.stringify(k)}\n`).join('')}`;
  writeFileSync(tmp, HEADER + body, { mode: 0o600 });
  renameSync(tmp, path);
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
