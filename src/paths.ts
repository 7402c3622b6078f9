import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (where package.json is), found from this file whether run from src/ or dist/src/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the tollgate package root');
    dir = parent;
  }
  return dir;
}

/** The embedded default policy bundle, built from policies/ by scripts/build-policy.sh. */
export function defaultBundlePath(): string {
  return path.join(packageRoot(), 'policies', 'build', 'bundle.tar.gz');
}

/** The version in package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
