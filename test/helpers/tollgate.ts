import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { TollgateApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { hashSecret, newKeySecret, type KeyRecord } from '../../src/identity/key-file.js';
import { writeKeyFile } from '../../src/identity/key-file.js';

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

export interface TestKey { id: string; secret: string; record: KeyRecord }

/** Writes a key file the way `tollgate keys create` does and returns the secrets. */
export function writeKeys(file: string, specs: Array<Partial<KeyRecord> & { subject: string }>): TestKey[] {
  const keys = specs.map((spec) => {
    const { id, secret } = newKeySecret();
    const record: KeyRecord = {
      id, hash: hashSecret(secret), models: [], scopes: [], created_at: new Date().toISOString(), expires_at: null, disabled: false, ...spec,
    };
    return { id, secret, record };
  });
  writeKeyFile(file, keys.map((k) => k.record));
  return keys;
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
