import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';

let built = false;

/**
 * Tests that spawn the real CLI need dist/ to match the sources: compile once per test file, unless
 * scripts/test.sh just built it (TOLLGATE_SKIP_BUILD=1, as the Go and Python suites read it): a
 * compile in one jest worker rewrites dist/ under a `tollgate serve` another worker is starting.
 */
export function ensureBuilt(): void {
  if (built || process.env.TOLLGATE_SKIP_BUILD === '1') return;
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: packageRoot(), stdio: 'pipe' });
  built = true;
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
