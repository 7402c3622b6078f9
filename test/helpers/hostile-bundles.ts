import { gzipSync } from 'node:zlib';
import { MAX_BUNDLE_BYTES } from '../../src/policy/bundle.js';
import { buildBundle } from './opa.js';
import { bundleFiles, paxPath, tarball, type TarSpec } from './tar.js';

/** Policy of the hostile-bundle tests: allows alice, and shows which data revision answered. */
export const REGO = 'package t\n\ndecision := {"allow": input.user == "alice", "rev": data.t.rev}\n';
export const ENTRYPOINT = 't/decision';

export const manifest = (m: Record<string, unknown>): TarSpec => ({ name: '/.manifest', content: JSON.stringify({ revision: 'hostile', roots: ['t'], ...m }) });
export const json = (name: string, doc: unknown): TarSpec => ({ name, content: JSON.stringify(doc) });

export interface HostileBundle { name: string; bytes: () => Buffer; error: RegExp }

/**
 * Bundles around one real OPA-built module, each with one hostile change, and the load error that
 * names it; `good` builds an honest one with the given revision (as manifest revision and data.t.rev).
 */
export function hostileBundles(): { good: (revision: string) => Buffer; hostile: HostileBundle[] } {
  const wasm = bundleFiles(buildBundle({ 'p.rego': REGO }, [ENTRYPOINT], 'x'))['policy.wasm'];
  const bundle = (...entries: TarSpec[]): Buffer => gzipSync(tarball([{ name: '/policy.wasm', content: wasm }, ...entries]));
  const withRoots = (...entries: TarSpec[]): Buffer => bundle(manifest({ wasm: [{ entrypoint: ENTRYPOINT, module: '/policy.wasm' }] }), ...entries);
  const good = (revision: string): Buffer => bundle(manifest({ revision }), json('/t/data.json', { rev: revision }));
  const hostile: HostileBundle[] = [
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
  return { good, hostile };
}
