import { hashSecret, newKeySecret, readKeyFile, updateKeyFile, type KeyRecord } from '../identity/key-file.js';
import { runGroup, subcommand, UsageError, type Command, type FlagSpecs, type FlagValues, type Subcommand } from './args.js';
import { keyFile, keyFileFlags, listFlag, parseDuration, parseLimits } from './key-flags.js';
import { keyDetails, keyRow, keyState, visibleKey } from './key-view.js';

const FILE_HELP = `  --file F                the key file (default: TOLLGATE_KEYS_FILE)
  --json                  print JSON instead of text`;

const createFlags = {
  ...keyFileFlags,
  subject: { type: 'string' },
  models: { type: 'string', multiple: true },
  tools: { type: 'string', multiple: true },
  scopes: { type: 'string', multiple: true },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  'token-budget': { type: 'string' },
  expires: { type: 'string' },
  description: { type: 'string' },
} as const;

const create: Command<typeof createFlags> = {
  name: 'tollgate keys create',
  usage: '--subject NAME --models GLOB[,GLOB] [--tools GLOB[,GLOB]] [--scopes S[,S]] [--rpm N] [--tpm N] [--token-budget N/PERIOD] [--expires 30d] [--description TEXT] [--file F] [--json]',
  help: `Creates a key and prints its secret, once: the file stores only its SHA-256.

  --subject NAME          who the key's caller is (api_key:<NAME> in policy)
  --models GLOB[,GLOB]    models the key may call (required; "*" for any)
  --tools GLOB[,GLOB]     tools the key may call (default: none)
  --scopes S[,S]          scopes passed to policy
  --rpm N                 requests per minute
  --tpm N                 tokens per minute
  --token-budget N/PERIOD tokens per period: 1m, 1h, 1d, 30d or 1mo (e.g. 1000000/1mo)
  --expires DURATION      lifetime: 90s, 15m, 12h, 30d (default: never expires)
  --description TEXT      a note for people
${FILE_HELP}
List flags may also be repeated: --tools a --tools b.`,
  flags: createFlags,
  positionals: [],
  run: createKey,
};

function createKey(flags: FlagValues<typeof createFlags>): number {
  const file = keyFile(flags.file);
  const subject = flags.subject;
  const models = listFlag(flags.models);
  if (subject === undefined) throw new UsageError('--subject is required');
  if (models.length === 0) throw new UsageError('--models is required (comma-separated globs, e.g. "gpt-4o*")');
  const limits = parseLimits(flags);
  const lifetime = flags.expires === undefined ? undefined : parseDuration('expires', flags.expires);
  const now = Date.now();
  const { id, secret } = newKeySecret();
  const record: KeyRecord = {
    id,
    hash: hashSecret(secret),
    subject,
    models,
    scopes: listFlag(flags.scopes),
    tools: listFlag(flags.tools),
    ...(limits && { limits }),
    ...(flags.description !== undefined && { description: flags.description }),
    created_at: new Date(now).toISOString(),
    expires_at: lifetime === undefined ? null : new Date(now + lifetime).toISOString(),
    disabled: false,
  };
  updateKeyFile(file, (keys) => [...keys, record]);
  if (!readKeyFile(file).some((k) => k.id === id)) throw new Error(`key ${id} is not in ${file} after writing it; it was not created`);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...visibleKey(record, now), key: secret })}\n`);
  } else {
    process.stdout.write(`created key ${id} for ${subject}\n${secret}\nStore this key now: it is not shown again.\n`);
  }
  return 0;
}

const list: Command<typeof keyFileFlags> = {
  name: 'tollgate keys list',
  usage: '[--file F] [--json]',
  help: `Lists every key: id, state (active, revoked, expired), subject, grants, expiry. Never a secret or hash.\n\n${FILE_HELP}`,
  flags: keyFileFlags,
  positionals: [],
  run(flags) {
    const now = Date.now();
    const keys = readKeyFile(keyFile(flags.file));
    process.stdout.write(flags.json ? `${JSON.stringify(keys.map((k) => visibleKey(k, now)))}\n` : keys.map((k) => `${keyRow(k, now)}\n`).join(''));
    return 0;
  },
};

const show: Command<typeof keyFileFlags> = {
  name: 'tollgate keys show',
  usage: 'ID [--file F] [--json]',
  help: `Shows one key: its grants, limits, dates and state. Never its secret or hash; an unknown id exits 1.\n\n${FILE_HELP}`,
  flags: keyFileFlags,
  positionals: ['ID'],
  run(flags, [id]) {
    const key = findKey(readKeyFile(keyFile(flags.file)), id);
    const now = Date.now();
    process.stdout.write(flags.json ? `${JSON.stringify(visibleKey(key, now))}\n` : keyDetails(key, now));
    return 0;
  },
};

const revoke: Command<typeof keyFileFlags> = {
  name: 'tollgate keys revoke',
  usage: 'ID [--file F] [--json]',
  help: `Revokes a key: a running Tollgate refuses it (credential_revoked) once it has re-read the file.
Exits 1 unless the file then says the key is revoked.\n\n${FILE_HELP}`,
  flags: keyFileFlags,
  positionals: ['ID'],
  run(flags, [id]) {
    const file = keyFile(flags.file);
    updateKeyFile(file, (keys) => {
      const key = findKey(keys, id);
      if (!key.disabled) key.revoked_at = new Date().toISOString();
      key.disabled = true;
      return keys;
    });
    // Success is only what the file now says: a revocation that did not land must not look done.
    const stored = readKeyFile(file).find((k) => k.id === id);
    if (stored?.disabled !== true) throw new Error(`key ${id} is not revoked in ${file} after writing; it still works`);
    process.stdout.write(flags.json ? `${JSON.stringify(visibleKey(stored, Date.now()))}\n` : `revoked key ${id}\n`);
    return 0;
  },
};

const rotateFlags = { ...keyFileFlags, grace: { type: 'string' } } as const;

const rotate: Command<typeof rotateFlags> = {
  name: 'tollgate keys rotate',
  usage: 'ID [--grace DURATION] [--file F] [--json]',
  help: `Gives a key a new secret and prints it, once. The id, grants and expiry stay the same.
The old secret stops working at once, or at the end of --grace; rotating again ends the grace
period of the secret before (only the newest replaced secret is kept). A revoked or expired key
cannot be rotated (exit 1).

  --grace DURATION        how long the old secret keeps working: 90s, 15m, 12h, 30d
${FILE_HELP}`,
  flags: rotateFlags,
  positionals: ['ID'],
  run: rotateKey,
};

function rotateKey(flags: FlagValues<typeof rotateFlags>, [id]: string[]): number {
  const file = keyFile(flags.file);
  const grace = flags.grace === undefined ? undefined : parseDuration('grace', flags.grace);
  const now = Date.now();
  const { secret } = newKeySecret(id);
  const hash = hashSecret(secret);
  updateKeyFile(file, (keys) => {
    const key = findKey(keys, id);
    const state = keyState(key, now);
    if (state !== 'active') throw new Error(`key ${id} is ${state}; create a new key instead`);
    key.previous = grace === undefined ? undefined : { hash: key.hash, valid_until: new Date(now + grace).toISOString() };
    key.hash = hash;
    key.rotated_at = new Date(now).toISOString();
    return keys;
  });
  // As for revoke: done is what the file now says.
  const stored = readKeyFile(file).find((k) => k.id === id);
  if (stored?.hash !== hash) throw new Error(`key ${id} does not have its new secret in ${file} after writing; it was not rotated`);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...visibleKey(stored, now), key: secret })}\n`);
  } else {
    const old = stored.previous ? `The old secret works until ${stored.previous.valid_until}.` : 'The old secret no longer works.';
    process.stdout.write(`rotated key ${id}\n${secret}\nStore this key now: it is not shown again. ${old}\n`);
  }
  return 0;
}

function findKey(keys: KeyRecord[], id: string): KeyRecord {
  const key = keys.find((k) => k.id === id);
  if (!key) throw new Error(`no key with id ${id}`);
  return key;
}

const commands = ([create, list, show, revoke, rotate] as Array<Command<FlagSpecs>>).map(subcommand);

/** `tollgate keys <command>`. */
export const keysGroup: Subcommand = {
  word: 'keys',
  usage: `${commands.map((c) => c.word).join(' | ')}: manage API keys in a key file`,
  run: (args) => runGroup('tollgate keys', commands, args),
};
