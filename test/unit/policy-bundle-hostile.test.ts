import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PolicyStore } from '../../src/policy/policy-store.js';
import { MAX_BUNDLE_BYTES } from '../../src/policy/bundle.js';
import { WasmPolicyEngine } from '../../src/policy/wasm-engine.js';
import { buildBundle } from '../helpers/opa.js';
import { bundleFiles, paxPath, tarball, type TarSpec } from '../helpers/tar.js';
import { tempDir } from '../helpers/tollgate.js';

const REGO = 'package t\n\ndecision := {"allow": input.user == "alice", "rev": data.t.rev}\n';
const options = { entrypoint: 't/decision', maxMemoryPages: 1024, now: () => 0 };
const manifest = (m: Record<string, unknown>): TarSpec => ({ name: '/.manifest', content: JSON.stringify({ revision: 'hostile', roots: ['t'], ...m }) });
const json = (name: string, doc: unknown): TarSpec => ({ name, content: JSON.stringify(doc) });

/** The real OPA-built module, repackaged with one hostile change per case. */
let wasm: Buffer;
const bundle = (...entries: TarSpec[]): Buffer => gzipSync(tarball([{ name: '/policy.wasm', content: wasm }, ...entries]));
const withRoots = (...entries: TarSpec[]): Buffer => bundle(manifest({ wasm: [{ entrypoint: 't/decision', module: '/policy.wasm' }] }), ...entries);

beforeAll(() => {
  wasm = bundleFiles(buildBundle({ 'p.rego': REGO }, ['t/decision'], 'x'))['policy.wasm'];
});

/** Every way a bundle can lie about itself, each expected to be refused with a message naming it. */
const HOSTILE: Array<{ name: string; bytes: () => Buffer; error: RegExp }> = [
  { name: '__proto__ directory', bytes: () => withRoots(json('/__proto__/data.json', { polluted: true })), error: /reserved name "__proto__"/ },
  { name: 'constructor/prototype directories', bytes: () => withRoots(json('/constructor/prototype/data.json', { polluted: true })), error: /reserved name "constructor"/ },
  { name: '__proto__ under a root', bytes: () => withRoots(json('/t/__proto__/data.json', { polluted: true })), error: /reserved name "__proto__"/ },
  { name: '__proto__ key in data.json', bytes: () => withRoots({ name: '/data.json', content: '{"__proto__": {"polluted": true}}' }), error: /reserved key "__proto__"/ },
  { name: 'constructor.prototype keys deep in data', bytes: () => withRoots({ name: '/data.json', content: '{"t": {"constructor": {"prototype": {"polluted": true}}}}' }), error: /reserved key/ },
  { name: '__proto__ key in the manifest', bytes: () => bundle({ name: '/.manifest', content: '{"revision": "x", "__proto__": {"polluted": true}}' }), error: /reserved key "__proto__"/ },
  { name: '__proto__ path through a PAX header', bytes: () => withRoots(paxPath('__proto__/data.json'), json('innocent', { polluted: true })), error: /reserved name "__proto__"/ },
  { name: 'traversal ../', bytes: () => withRoots(json('../data.json', { t: {} })), error: /"\.\." segment/ },
  { name: 'traversal inside the path', bytes: () => withRoots(json('/t/../../data.json', { t: {} })), error: /"\.\." segment/ },
  { name: 'traversal through a PAX header', bytes: () => withRoots(paxPath('/../../etc/data.json'), json('innocent', {})), error: /"\.\." segment/ },
  { name: 'absolute path beyond the bundle root', bytes: () => withRoots(json('//etc/data.json', {})), error: /empty, "\." or "\.\." segment/ },
  { name: 'Windows separator', bytes: () => withRoots(json('..\\data.json', {})), error: /backslash/ },
  { name: 'entry without a name', bytes: () => withRoots(json('/', {})), error: /without a name/ },
  { name: 'duplicate policy.wasm', bytes: () => withRoots({ name: '/policy.wasm', content: 'not wasm' }), error: /two entries named \/policy\.wasm/ },
  { name: 'duplicate data under two spellings', bytes: () => withRoots(json('/data.json', { t: { rev: 'a' } }), json('./data.json', { t: { rev: 'b' } })), error: /two entries named \/data\.json/ },
  { name: 'symlink', bytes: () => withRoots({ name: '/data.json', type: '2', linkname: '/etc/passwd' }), error: /type '2'.*links are refused/ },
  { name: 'hard link', bytes: () => withRoots({ name: '/t/data.json', type: '1', linkname: '/policy.wasm' }), error: /type '1'/ },
  { name: 'truncated inside an entry', bytes: () => gzipSync(tarball([{ name: '/policy.wasm', content: wasm }]).subarray(0, 2048)), error: /truncated/ },
  { name: 'no end-of-archive block', bytes: () => gzipSync(tarball([{ name: '/policy.wasm', content: wasm }], { end: false })), error: /truncated/ },
  { name: 'truncated gzip', bytes: () => bundle().subarray(0, 1000), error: /not a readable gzip/ },
  { name: 'damaged header checksum', bytes: () => { const t = tarball([{ name: '/policy.wasm', content: wasm }]); t[0] ^= 1; return gzipSync(t); }, error: /checksum/ },
  { name: 'gzip bomb', bytes: () => gzipSync(Buffer.alloc(MAX_BUNDLE_BYTES + 1)), error: /at most \d+ bytes/ },
  { name: 'data outside the manifest roots', bytes: () => withRoots(json('/data.json', { t: { rev: 'a' }, other: { admin: true } })), error: /roots do not include data at \/other/ },
  { name: 'data file outside the roots', bytes: () => withRoots(json('/tollgate/data.json', { admin: true })), error: /roots do not include data at \/tollgate/ },
  { name: 'entrypoint outside the roots', bytes: () => bundle(manifest({ roots: ['other'], wasm: [{ entrypoint: 't/decision', module: '/policy.wasm' }] })), error: /entrypoint "t\/decision" is outside the roots/ },
  { name: 'overlapping roots', bytes: () => bundle(manifest({ roots: ['t', 't/x'] })), error: /overlap/ },
  { name: 'manifest revision not a string', bytes: () => bundle(manifest({ revision: 7 })), error: /"revision" must be a string/ },
  { name: 'manifest not an object', bytes: () => bundle({ name: '/.manifest', content: '["t"]' }), error: /must be a JSON object/ },
  { name: 'conflicting data files', bytes: () => withRoots(json('/data.json', { t: { rev: 'a' } }), json('/t/data.json', { rev: 'b' })), error: /conflicts with other bundle data at \/t\/rev/ },
  { name: 'YAML data Tollgate would not read', bytes: () => withRoots({ name: '/t/data.yaml', content: 'rev: a' }), error: /YAML data is not supported/ },
  { name: 'policy.wasm that is not Wasm', bytes: () => gzipSync(tarball([{ name: '/policy.wasm', content: 'nope' }])), error: /policy\.wasm could not be loaded/ },
];

const prototypeKeys = (): string[] => Object.getOwnPropertyNames(Object.prototype);

describe('a hostile bundle is refused before anything shared changes', () => {
  const keysBefore = prototypeKeys();

  test.each(HOSTILE)('$name', async ({ bytes, error }) => {
    await expect(WasmPolicyEngine.fromBundle(bytes(), options)).rejects.toThrow(error);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(prototypeKeys()).toEqual(keysBefore);
  });

  test('the same entries, honest, load (the table fails for its hostile part only)', async () => {
    const engine = await WasmPolicyEngine.fromBundle(withRoots(json('/t/data.json', { rev: 'a' })), options);
    expect(engine.evaluate({ user: 'alice' })).toEqual([{ result: { allow: true, rev: 'a' } }]);
  });
});

describe('the policy store keeps serving the last good revision', () => {
  const dir = tempDir('tollgate-store-');
  const file = path.join(dir, 'bundle.tar.gz');
  const errors: Error[] = [];
  const store = new PolicyStore({ bundlePath: file, ...options, pollIntervalMs: 1000, onLoadError: (err) => errors.push(err) });

  beforeAll(async () => {
    writeFileSync(file, bundle(manifest({ revision: 'good-1' }), json('/t/data.json', { rev: 'good-1' })));
    await store.load();
  });

  test.each(HOSTILE)('after a reload to: $name', async ({ bytes, error }) => {
    const serving = store.current();
    writeFileSync(file, bytes());
    const failures = errors.length;
    await store.reload();
    expect(errors).toHaveLength(failures + 1);
    expect(errors.at(-1)?.message).toMatch(error);
    expect(store.current()).toBe(serving);
    expect(store.current()?.evaluate({ user: 'alice' })).toEqual([{ result: { allow: true, rev: 'good-1' } }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a good bundle after all of them is swapped in', async () => {
    writeFileSync(file, bundle(manifest({ revision: 'good-2' }), json('/t/data.json', { rev: 'good-2' })));
    await store.reload();
    expect(store.current()?.revision).toBe('good-2');
    expect(store.current()?.evaluate({ user: 'bob' })).toEqual([{ result: { allow: false, rev: 'good-2' } }]);
  });
});
