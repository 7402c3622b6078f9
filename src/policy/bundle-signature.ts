import { createHash, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { jose } from '../common/jose.js';
import { TollgateError } from '../core/errors.js';
import { canonicalJson, canonicalYaml } from './canonical-json.js';

/** `policy.signing`: exactly one key source (checked by the config schema). */
export interface SigningSettings {
  public_key: string | null;
  jwks_file: string | null;
  secret_file: string | null;
  key_id: string | null;
  scope: string | null;
}

export const SIGNATURES_FILE = '/.signatures.json';

/** Node's digest names for the hash algorithms OPA writes into `files`; weaker ones are refused. */
const DIGESTS: Record<string, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
/** Shorter HMAC secrets are guessable offline from one signed bundle. */
const MIN_SECRET_BYTES = 32;

interface SignedFile { name: string; hash: string; algorithm: string }

/**
 * Verifies bundles signed as OPA signs them (`opa build --signing-key`): one JWT in /.signatures.json
 * whose payload lists every file with its digest. The JWT must verify with the configured key, the
 * listed files must be exactly the bundle's, each digest must match (structured files hashed in OPA's
 * canonical form), and the scope must equal the configured one (absent = empty, as OPA compares).
 */
export class BundleVerifier {
  private constructor(private readonly settings: SigningSettings, private readonly keys: (kid: string | undefined) => KeyObject) {}

  /** Reads the key files once; a missing or unusable key stops the start (ERR_SIGNING_KEY_INVALID). */
  static fromSettings(settings: SigningSettings): BundleVerifier {
    try {
      if (settings.public_key) {
        const key = createPublicKey(readFileSync(settings.public_key));
        return new BundleVerifier(settings, () => key);
      }
      if (settings.secret_file) {
        const secret = readFileSync(settings.secret_file, 'utf8').trim();
        if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) throw new Error(`the secret must be at least ${MIN_SECRET_BYTES} bytes`);
        const key = createSecretKey(Buffer.from(secret));
        return new BundleVerifier(settings, () => key);
      }
      if (settings.jwks_file) return new BundleVerifier(settings, jwksLookup(settings.jwks_file));
    } catch (err) {
      throw new TollgateError('ERR_SIGNING_KEY_INVALID', `policy.signing: cannot use the key: ${(err as Error).message}`, { cause: err });
    }
    throw new TollgateError('ERR_SIGNING_KEY_INVALID', 'policy.signing needs public_key, jwks_file or secret_file');
  }

  async verify(files: ReadonlyMap<string, Buffer>): Promise<void> {
    const token = onlySignature(files.get(SIGNATURES_FILE));
    let payload: Uint8Array;
    const { compactVerify, decodeJwt, decodeProtectedHeader } = await jose();
    try {
      // Which key: the configured id, else the header's kid, else the payload's keyid, as OPA chooses.
      const { kid } = decodeProtectedHeader(token);
      const { keyid } = decodeJwt(token);
      const key = this.keys(this.settings.key_id ?? [kid, keyid].find((id): id is string => typeof id === 'string'));
      ({ payload } = await compactVerify(token, key, { algorithms: algorithmsFor(key) }));
    } catch (err) {
      throw refused(`the signature does not verify with the configured key: ${(err as Error).message}`);
    }
    const claims = parseJson(Buffer.from(payload).toString('utf8'), 'the signature payload') as { files?: unknown; scope?: unknown };
    if ((claims.scope ?? '') !== (this.settings.scope ?? '')) throw refused(`scope "${String(claims.scope ?? '')}" is not the configured "${this.settings.scope ?? ''}"`);
    checkFiles(files, signedFiles(claims.files));
  }
}

/** Refuses a signature nobody asked to check and a missing one that was asked for, as OPA does. */
export async function checkBundleSignature(files: ReadonlyMap<string, Buffer>, verifier: BundleVerifier | undefined): Promise<void> {
  const signed = files.has(SIGNATURES_FILE);
  if (!verifier && signed) throw refused('the bundle is signed but policy.signing is not configured');
  if (verifier && !signed) throw refused('policy.signing is configured and the bundle has no /.signatures.json');
  await verifier?.verify(files);
}

function checkFiles(files: ReadonlyMap<string, Buffer>, signed: Map<string, SignedFile>): void {
  for (const [path, content] of files) {
    if (path === SIGNATURES_FILE) continue;
    const entry = signed.get(path);
    if (!entry) throw refused(`${path} is in the bundle but not in the signature`);
    const digest = DIGESTS[entry.algorithm];
    if (!digest) throw refused(`${path}: hash algorithm "${entry.algorithm}" is not accepted (use SHA-256)`);
    if (createHash(digest).update(hashedForm(path, content)).digest('hex') !== entry.hash.toLowerCase()) throw refused(`${path}: digest mismatch (the file was changed after signing)`);
    signed.delete(path);
  }
  const missing = [...signed.keys()];
  if (missing.length > 0) throw refused(`the signature lists files the bundle does not have: ${missing.join(', ')}`);
}

/** OPA hashes data and manifest files as canonical JSON, so whitespace and key order do not matter; other files byte for byte. */
function hashedForm(path: string, content: Buffer): Buffer | string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  try {
    if (base === 'data.json' || base === '.manifest') return canonicalJson(content.toString('utf8'));
    if (base === 'data.yaml') return canonicalYaml(content.toString('utf8'));
  } catch (err) {
    throw refused(`${path} cannot be hashed: ${(err as Error).message}`);
  }
  return content;
}

function onlySignature(content: Buffer | undefined): string {
  const doc = parseJson(content?.toString('utf8') ?? '', SIGNATURES_FILE) as { signatures?: unknown };
  const { signatures } = doc;
  if (!Array.isArray(signatures) || signatures.length !== 1 || typeof signatures[0] !== 'string') throw refused(`${SIGNATURES_FILE} must hold {"signatures": [one JWT]}`);
  return signatures[0];
}

function signedFiles(list: unknown): Map<string, SignedFile> {
  if (!Array.isArray(list)) throw refused('the signature payload has no "files" list');
  const files = new Map<string, SignedFile>();
  for (const item of list as Array<Partial<SignedFile>>) {
    if (typeof item?.name !== 'string' || typeof item.hash !== 'string' || typeof item.algorithm !== 'string') throw refused('a "files" entry needs name, hash and algorithm strings');
    const path = `/${item.name.replace(/^\/+/, '')}`;
    if (files.has(path)) throw refused(`the signature lists ${path} twice`);
    files.set(path, item as SignedFile);
  }
  return files;
}

/** The algorithms a key may verify: the key type decides, never the token's header alone. */
function algorithmsFor(key: KeyObject): string[] {
  if (key.type === 'secret') return ['HS256'];
  if (key.asymmetricKeyType === 'rsa') return ['RS256', 'PS256'];
  if (key.asymmetricKeyType === 'rsa-pss') return ['PS256'];
  if (key.asymmetricKeyType === 'ec') return ['ES256'];
  throw new Error(`keys of type ${key.asymmetricKeyType} are not accepted (use RSA or EC P-256)`);
}

function jwksLookup(file: string): (kid: string | undefined) => KeyObject {
  const { keys } = JSON.parse(readFileSync(file, 'utf8')) as { keys?: Array<Record<string, unknown>> };
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${file} holds no "keys"`);
  const byKid = new Map(keys.map((jwk) => [String(jwk.kid ?? ''), createPublicKey({ key: jwk as never, format: 'jwk' })]));
  return (kid) => {
    const key = kid === undefined && byKid.size === 1 ? [...byKid.values()][0] : byKid.get(kid ?? '');
    if (!key) throw new Error(`the JWKS has no key "${kid ?? ''}" (set policy.signing.key_id or sign with a kid)`);
    return key;
  };
}

function parseJson(text: string, what: string): unknown {
  try {
    const doc = JSON.parse(text) as unknown;
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return doc;
  } catch { /* reported below */ }
  throw refused(`${what} is not a JSON object`);
}

function refused(detail: string): TollgateError {
  return new TollgateError('ERR_BUNDLE_SIGNATURE_INVALID', `bundle signature refused: ${detail}`);
}
