import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BundleVerifier, type SigningSettings } from '../../../src/policy/bundle-signature.js';
import { WasmPolicyEngine } from '../../../src/policy/wasm-engine.js';
import { buildBundle } from '../../helpers/opa.js';
import { buildSignedBundle, tamper, writeKeyPair, type SigningAlg } from '../../helpers/signed-bundles.js';
import { tempDir } from '../../helpers/tollgate.js';

const REGO = 'package t\n\ndecision := {"allow": input.user == data.t.user}\n';
const DATA = '{"t": {"user": "alice", "limit": 1.0, "note": "\\u2028<&>"}}';
const SOURCES = { 'p.rego': REGO, 'data.json': DATA };
const ENTRY = 't/decision';
const options = { entrypoint: ENTRY, maxMemoryPages: 1024, now: Date.now };
const settings = (s: Partial<SigningSettings>): SigningSettings => ({ public_key: null, jwks_file: null, secret_file: null, key_id: null, scope: null, ...s });
const load = (bytes: Buffer, verifier?: BundleVerifier) => WasmPolicyEngine.fromBundle(bytes, { ...options, verifier });
const refused = (message: RegExp) => ({ code: 'ERR_BUNDLE_SIGNATURE_INVALID', message: expect.stringMatching(message) });

/** Bundles signed by the real `opa build --signing-key`, verified as OPA verifies them, and tampered copies refused. */
describe.each<SigningAlg>(['RS256', 'ES256'])('bundles signed by opa build with %s', (alg) => {
  const keys = writeKeyPair(alg);
  const other = writeKeyPair(alg);
  const file = buildSignedBundle(SOURCES, [ENTRY], { key: keys.privateKey, alg, scope: 'write', revision: 'r1' });
  const verifier = BundleVerifier.fromSettings(settings({ public_key: keys.publicKey, key_id: 'global', scope: 'write' }));

  test('verifies and serves (data.json and .manifest hashed in canonical form)', async () => {
    const engine = await load(readFileSync(file), verifier);
    expect(engine.revision).toBe('r1');
    expect(engine.evaluate({ user: 'alice' })).toEqual([{ result: { allow: true } }]);
  });

  test.each([
    { name: 'a changed .rego', change: (f: Record<string, Buffer>) => { f['p.rego'] = Buffer.from(`${REGO}# changed\n`); }, error: /\/p\.rego: digest mismatch/ },
    { name: 'a changed data.json', change: (f: Record<string, Buffer>) => { f['data.json'] = Buffer.from('{"t": {"user": "mallory"}}'); }, error: /\/data\.json: digest mismatch/ },
    { name: 'an added file', change: (f: Record<string, Buffer>) => { f['t/extra/data.json'] = Buffer.from('{}'); }, error: /\/t\/extra\/data\.json is in the bundle but not in the signature/ },
    { name: 'a removed file', change: (f: Record<string, Buffer>) => { delete f['p.rego']; }, error: /lists files the bundle does not have: \/p\.rego/ },
    { name: 'no signature', change: (f: Record<string, Buffer>) => { delete f['.signatures.json']; }, error: /has no \/\.signatures\.json/ },
  ])('refuses $name', async ({ change, error }) => {
    await expect(load(tamper(file, change), verifier)).rejects.toMatchObject(refused(error));
  });

  test('a reformatted data.json with the same content still verifies, as in OPA', async () => {
    const bytes = tamper(file, (f) => { f['data.json'] = Buffer.from(`{\n  "t": {"note": "\\u2028<&>", "limit": 1.0,\n "user": "alice"}\n}\n`); });
    await expect(load(bytes, verifier)).resolves.toBeInstanceOf(WasmPolicyEngine);
  });

  test('refuses a signature from another key', async () => {
    const stranger = BundleVerifier.fromSettings(settings({ public_key: other.publicKey, scope: 'write' }));
    await expect(load(readFileSync(file), stranger)).rejects.toMatchObject(refused(/does not verify with the configured key/));
  });

  test('refuses a wrong scope, and a scoped bundle when no scope is configured', async () => {
    const wrong = BundleVerifier.fromSettings(settings({ public_key: keys.publicKey, scope: 'read' }));
    await expect(load(readFileSync(file), wrong)).rejects.toMatchObject(refused(/scope "write" is not the configured "read"/));
    const none = BundleVerifier.fromSettings(settings({ public_key: keys.publicKey }));
    await expect(load(readFileSync(file), none)).rejects.toMatchObject(refused(/scope "write" is not the configured ""/));
  });

  test('refuses a signed bundle when signing is not configured', async () => {
    await expect(load(readFileSync(file))).rejects.toMatchObject(refused(/signed but policy\.signing is not configured/));
  });
});

describe('other keys and algorithms', () => {
  // The real OPA builds and RSA key generation take seconds on a busy machine: done once, before the tests' clock.
  let rsa: ReturnType<typeof writeKeyPair>;
  let stranger: ReturnType<typeof writeKeyPair>;
  const built: Record<string, Buffer> = {};
  const secret = 'a-shared-secret-of-at-least-32-bytes!';
  beforeAll(() => {
    rsa = writeKeyPair('RS256');
    stranger = writeKeyPair('RS256');
    built.unsigned = readFileSync(buildBundle({ 'p.rego': REGO }, [ENTRY]));
    built.ps = readFileSync(buildSignedBundle(SOURCES, [ENTRY], { key: rsa.privateKey, alg: 'PS256' }));
    built.hs = readFileSync(buildSignedBundle(SOURCES, [ENTRY], { key: secret, alg: 'HS256' }));
    built.rs = readFileSync(buildSignedBundle(SOURCES, [ENTRY], { key: rsa.privateKey, alg: 'RS256' }));
  }, 120_000);

  test('an unsigned bundle is refused when signing is configured', async () => {
    const verifier = BundleVerifier.fromSettings(settings({ public_key: rsa.publicKey }));
    await expect(load(built.unsigned, verifier)).rejects.toMatchObject(refused(/has no \/\.signatures\.json/));
  });

  test('PS256 with a PEM key, HS256 with a secret file, RS256 through a JWKS file by key id', async () => {
    await expect(load(built.ps, BundleVerifier.fromSettings(settings({ public_key: rsa.publicKey })))).resolves.toBeInstanceOf(WasmPolicyEngine);

    const secretFile = path.join(tempDir(), 'secret');
    writeFileSync(secretFile, `${secret}\n`);
    await expect(load(built.hs, BundleVerifier.fromSettings(settings({ secret_file: secretFile })))).resolves.toBeInstanceOf(WasmPolicyEngine);
    // An HMAC token never verifies with a public key (no algorithm confusion).
    await expect(load(built.hs, BundleVerifier.fromSettings(settings({ public_key: rsa.publicKey })))).rejects.toMatchObject(refused(/does not verify/));

    const jwk = (file: string) => createPublicKey(readFileSync(file)).export({ format: 'jwk' });
    const jwksFile = path.join(tempDir(), 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...jwk(stranger.publicKey), kid: 'old' }, { ...jwk(rsa.publicKey), kid: 'global' }] }));
    await expect(load(built.rs, BundleVerifier.fromSettings(settings({ jwks_file: jwksFile, key_id: 'global' })))).resolves.toBeInstanceOf(WasmPolicyEngine);
    await expect(load(built.rs, BundleVerifier.fromSettings(settings({ jwks_file: jwksFile, key_id: 'old' })))).rejects.toMatchObject(refused(/does not verify/));
  });

  test('unusable keys stop the start', () => {
    const short = path.join(tempDir(), 'short');
    writeFileSync(short, 'too short');
    expect(() => BundleVerifier.fromSettings(settings({ secret_file: short }))).toThrow(expect.objectContaining({ code: 'ERR_SIGNING_KEY_INVALID' }));
    expect(() => BundleVerifier.fromSettings(settings({ public_key: '/nonexistent.pem' }))).toThrow(expect.objectContaining({ code: 'ERR_SIGNING_KEY_INVALID' }));
  });
});
