import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { tempDir } from './tollgate.js';

/** The pinned OPA CLI (installed by scripts/opa.sh when missing). */
export function opaPath(): string {
  return execFileSync('bash', [path.join(packageRoot(), 'scripts', 'opa.sh')], { encoding: 'utf8' }).trim();
}

/** Compiles Rego sources with the real OPA CLI into a Wasm bundle file; returns its path. */
export function buildBundle(files: Record<string, string>, entrypoints: string[], revision = 'test'): string {
  const dir = tempDir('tollgate-rego-');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const out = path.join(dir, 'bundle.tar.gz');
  execFileSync(opaPath(), ['build', '-t', 'wasm', ...entrypoints.flatMap((e) => ['-e', e]), '--revision', revision, '-o', out, dir], { stdio: 'pipe' });
  return out;
}

export function bundleBytes(file: string): Buffer {
  return readFileSync(file);
}
