import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageRoot } from '../paths.js';

export interface BuildOptions {
  dir: string;
  entrypoints: string[];
  out: string;
  /** Default: sourceRevision(dir), so the same sources always build the same revision. */
  revision?: string;
  signing?: { key: string; alg: string; keyId?: string; scope?: string };
  /** More paths to leave out, as `opa build --ignore` takes them (the embedded policies' examples/). */
  ignore?: string[];
}

/** Files that never go into a bundle: tests, and earlier build output. */
const IGNORED = ['*_test.rego', 'build'];

/** The pinned OPA CLI (scripts/opa.sh installs it when missing). */
export function opaPath(): string {
  return execFileSync('bash', [path.join(packageRoot(), 'scripts', 'opa.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/**
 * A hash of the policy sources (Rego without tests, data files), 12 hex digits: the lines
 * `sha256sum` prints for them, sorted by path, hashed again, as scripts/build-policy.sh computes it.
 */
export function sourceRevision(dir: string, ignore: readonly string[] = []): string {
  const lines = sourceFiles(dir, '', ignore).map((rel) => `${createHash('sha256').update(readFileSync(path.join(dir, rel))).digest('hex')}  ./${rel}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex').slice(0, 12);
}

/**
 * `opa build -b -t wasm` of a directory with the pinned OPA: a Wasm bundle with its Rego sources
 * (so `policy eval --explain` can trace it), signed in OPA's .signatures.json format when asked.
 * Returns the revision; throws with OPA's own message when the build fails.
 */
export function buildBundle(options: BuildOptions): string {
  const revision = options.revision ?? sourceRevision(options.dir, options.ignore);
  const { signing } = options;
  const args = [
    'build', '-b', '-t', 'wasm', ...options.entrypoints.flatMap((e) => ['-e', e]), '--revision', revision,
    ...[...IGNORED, ...(options.ignore ?? [])].flatMap((i) => ['--ignore', i]), '-o', path.resolve(options.out),
    ...(signing ? ['--signing-key', signing.key, '--signing-alg', signing.alg, '--claims-file', claimsFile(signing)] : []),
    '.',
  ];
  mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
  const result = spawnSync(opaPath(), args, { cwd: options.dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`opa build failed: ${(result.stderr || result.stdout || result.error?.message || '').trim()}`);
  return revision;
}

/** OPA writes the key id and scope into the signature's payload from a claims file (`keyid` is what OPA reads when the header has no kid). */
function claimsFile(signing: NonNullable<BuildOptions['signing']>): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tollgate-claims-')), 'claims.json');
  writeFileSync(file, JSON.stringify({ ...(signing.keyId && { keyid: signing.keyId }), ...(signing.scope && { scope: signing.scope }) }));
  return file;
}

function sourceFiles(dir: string, sub: string, ignore: readonly string[]): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${entry.name}` : entry.name;
    if (entry.isDirectory() && entry.name !== 'build' && !entry.name.startsWith('.') && !ignore.includes(rel)) files.push(...sourceFiles(dir, rel, ignore));
    else if (entry.isFile() && ((entry.name.endsWith('.rego') && !entry.name.endsWith('_test.rego')) || entry.name === 'data.json')) files.push(rel);
  }
  return files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
