import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';

let built = false;

/**
 * Tests that spawn the real CLI need dist/ to match the sources. Jest runs test files in parallel
 * workers and tsc rewrites every file, which a CLI another worker just started would read half
 * written: so one worker compiles at a time, and only when a source is newer than the last build.
 * TOLLGATE_SKIP_BUILD=1 (set by `npm test`, which has just built) skips it, as in the Go and Python suites.
 */
export function ensureBuilt(): void {
  if (built || process.env.TOLLGATE_SKIP_BUILD === '1') return;
  const root = packageRoot();
  const stamp = path.join(root, 'dist', '.build-stamp');
  mkdirSync(path.dirname(stamp), { recursive: true });
  withBuildLock(`${stamp}.lock`, () => {
    if (newestMtime(path.join(root, 'src')) < mtimeOf(stamp)) return;
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
    writeFileSync(stamp, '');
  });
  built = true;
}

function withBuildLock(lock: string, fn: () => void): void {
  // A lock older than any build is left by a worker that was killed.
  for (const deadline = Date.now() + 180_000; ;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (Date.now() - mtimeOf(lock) > 120_000) rmSync(lock, { force: true });
      if (Date.now() > deadline) throw new Error(`${lock} is held: another test worker is compiling`, { cause: err });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function newestMtime(dir: string): number {
  return Math.max(...readdirSync(dir, { withFileTypes: true, recursive: true }).map((e) => mtimeOf(path.join(e.parentPath, e.name))));
}

export const CLI = path.join(packageRoot(), 'bin', 'tollgate.js');

/** Runs `tollgate <args>` to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  ensureBuilt();
  try {
    const stdout = execFileSync('node', [CLI, ...args], { env: { ...cleanEnv(), ...env }, encoding: 'utf8', stdio: 'pipe' });
    return { status: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { status: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

export interface ServeProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  ports: { http: number; admin: number; grpc?: number };
  exited: Promise<number | null>;
}

/** Spawns `tollgate serve` and resolves once it logs its ports (or rejects with its output if it exits). */
export function spawnServe(env: Record<string, string>, args: string[] = []): Promise<ServeProcess> {
  ensureBuilt();
  const child = spawn('node', [CLI, 'serve', ...args], {
    env: { ...cleanEnv(), TOLLGATE_HTTP_PORT: '0', TOLLGATE_ADMIN_PORT: '0', TOLLGATE_GRPC_PORT: '0', TOLLGATE_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.trim()) continue;
        const record = JSON.parse(line) as Record<string, unknown>;
        lines.push(record);
        if (record.message === 'tollgate listening') {
          resolve({ child, lines, exited, ports: { http: Number(record.http_port), admin: Number(record.admin_port), grpc: record.grpc_port === undefined ? undefined : Number(record.grpc_port) } });
        }
      }
    });
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
    void exited.then((code) => reject(new Error(`tollgate exited with ${code}: ${stderr}`)));
  });
}

/** The test runner's environment without any TOLLGATE_* setting leaking in. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TOLLGATE_')));
}
