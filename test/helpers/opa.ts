import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { tempDir } from './tollgate.js';

/** The pinned OPA CLI (installed by scripts/opa.sh when missing). */
export function opaPath(): string {
  opa ??= execFileSync('bash', [path.join(packageRoot(), 'scripts', 'opa.sh')], { encoding: 'utf8' }).trim();
  return opa;
}

/** Checked once per test file: many tests build bundles. */
let opa: string | undefined;

/** Compiles Rego sources with the real OPA CLI into a Wasm bundle file; returns its path. */
export function buildBundle(files: Record<string, string>, entrypoints: string[], revision = 'test'): string {
  const dir = tempDir('tollgate-rego-');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return compileBundle(opaPath(), dir, path.join(dir, 'bundle.tar.gz'), { entrypoints, revision });
}

/** Compiles a directory of Rego and data files with `opa` into the Wasm bundle `out`; returns `out`. */
export function compileBundle(opa: string, dir: string, out: string, options: { entrypoints: string[]; revision: string; ignore?: string[] }): string {
  const ignore = (options.ignore ?? []).flatMap((pattern) => ['--ignore', pattern]);
  execFileSync(opa, ['build', '-t', 'wasm', ...options.entrypoints.flatMap((e) => ['-e', e]), ...ignore, '--revision', options.revision, '-o', out, dir], { stdio: 'pipe' });
  return out;
}

export function bundleBytes(file: string): Buffer {
  return readFileSync(file);
}
