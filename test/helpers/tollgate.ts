import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { TollgateApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';

// Many tests take their key files from here, next to the server they start.
export { writeKeys, type TestKey } from './key-files.js';

export interface RunningTollgate {
  app: TollgateApp;
  url: string;
  adminUrl: string;
  /** Every JSON log line written so far (app and audit). */
  logs: Array<Record<string, unknown>>;
  /** Raw log text, to check that no secret ever appears. */
  rawLogs(): string;
  decisions(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * Starts a real Tollgate in this process on free ports. `env` holds TOLLGATE_* overrides exactly as
 * a user would set them; ports default to 0. `now` is an injected clock (time-dependent tests).
 */
export async function startTollgate(env: Record<string, string> = {}, configFile?: string, now?: () => number): Promise<RunningTollgate> {
  const config = loadConfig({ TOLLGATE_HTTP_PORT: '0', TOLLGATE_ADMIN_PORT: '0', TOLLGATE_GRPC_PORT: '0', TOLLGATE_HOST: '127.0.0.1', ...env }, configFile);
  const stream = new PassThrough();
  let raw = '';
  const logs: Array<Record<string, unknown>> = [];
  stream.on('data', (chunk: Buffer) => {
    raw += chunk.toString('utf8');
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const app = new TollgateApp(config, { logStream: stream, now });
  const ports = await app.start();
  return {
    app,
    url: `http://127.0.0.1:${ports.http}`,
    adminUrl: `http://127.0.0.1:${ports.admin}`,
    logs,
    rawLogs: () => raw,
    decisions: () => logs.filter((l) => l.log_type === 'decision'),
    stop: () => app.stop(),
  };
}

export function tempDir(prefix = 'tollgate-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function writeFile(dir: string, name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** POST JSON and return status, headers and parsed body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}
