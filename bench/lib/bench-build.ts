import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The bench compiles outside dist/ (tsconfig.bench.json), so the npm package never ships it; the
 * Tollgate it measures is still the package build in dist/.
 */
export const BENCH_BUILD_DIR = path.join('.tools', 'bench-dist');

/** A compiled bench file, e.g. benchBuildPath(root, 'servers', 'bare-http.js'). */
export function benchBuildPath(root: string, ...parts: string[]): string {
  return path.join(root, BENCH_BUILD_DIR, 'bench', ...parts);
}

export function buildBench(root: string): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.bench.json'], { cwd: root, stdio: 'pipe' });
}
