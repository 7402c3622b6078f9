import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { TollgateApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { postJson, startTollgate, tempDir } from '../helpers/tollgate.js';

const MODELS = { method: 'GET', path: '/v1/models', headers: {} };
const metric = async (adminUrl: string, name: string, sink: string) => {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  return Number(new RegExp(`^${name}\\{sink="${sink}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
};
const waitFor = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (await check()) return;
  throw new Error('condition not reached');
};

/** Real destinations that cannot take a record: a full device, a directory that does not exist. */
const unwritable = [
  { name: 'a full disk (/dev/full)', file: () => '/dev/full' },
  { name: 'a directory that does not exist', file: () => path.join(tempDir(), 'missing', 'audit.log') },
];

describe.each(unwritable)('audit file on $name', ({ file }) => {
  test('failures are counted, logged once (not per record), and /readyz says not ready; decisions still answered', async () => {
    const tg = await startTollgate({ TOLLGATE_AUDIT_FILE: file() });
    try {
      for (let i = 0; i < 20; i++) expect((await postJson(`${tg.url}/v1/authorize`, MODELS)).json.reason).toBe('unauthenticated');
      await waitFor(async () => (await metric(tg.adminUrl, 'tollgate_audit_write_failures_total', 'file')) >= 20);
      const ready = await fetch(`${tg.adminUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'not_ready', reason: 'audit_unavailable', audit: { stdout: true, file: false } });
      expect(tg.logs.filter((l) => l.message === 'audit records could not be written')).toHaveLength(1);
      expect(tg.decisions()).toHaveLength(20); // stdout still has every record
    } finally {
      await tg.stop();
    }
  });

  test('with log.audit_fail_closed every decision is a 503 audit_unavailable deny', async () => {
    const tg = await startTollgate({ TOLLGATE_AUDIT_FILE: file(), TOLLGATE_LOG__AUDIT_FAIL_CLOSED: 'true' });
    try {
      await postJson(`${tg.url}/v1/authorize`, MODELS);
      await waitFor(() => !tg.app.loggers.trail.healthy);
      const res = await postJson(`${tg.url}/v1/authorize`, MODELS);
      expect(res.json).toMatchObject({ allow: false, status: 503, reason: 'audit_unavailable' });
      expect(tg.decisions().at(-1)).toMatchObject({ result: 'deny', reason: 'audit_unavailable', error_code: 'ERR_AUDIT_UNAVAILABLE' });
    } finally {
      await tg.stop();
    }
  });
});

test('a file that becomes writable again gets an audit_gap record naming the lost records, and the instance is ready again', async () => {
  const dir = path.join(tempDir(), 'later');
  const file = path.join(dir, 'audit.log');
  const tg = await startTollgate({ TOLLGATE_AUDIT_FILE: file, TOLLGATE_LOG__AUDIT_FAIL_CLOSED: 'true' });
  let stopped = false;
  try {
    await postJson(`${tg.url}/v1/authorize`, MODELS);
    await waitFor(() => !tg.app.loggers.trail.healthy);
    mkdirSync(dir);
    await waitFor(() => tg.app.loggers.trail.healthy);
    expect((await fetch(`${tg.adminUrl}/readyz`)).status).toBe(200);
    expect((await postJson(`${tg.url}/v1/authorize`, MODELS)).json.reason).toBe('unauthenticated');
    await tg.stop();
    stopped = true;
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ log_type: 'audit_gap', sink: 'file', lost_records: expect.any(Number) });
    expect(lines[0].lost_records).toBeGreaterThanOrEqual(1);
    expect(lines.at(-1)).toMatchObject({ log_type: 'decision', reason: 'unauthenticated' });
  } finally {
    if (!stopped) await tg.stop();
  }
});

test('a destination that stops reading: records past log.audit_buffer_bytes are dropped and counted, memory stays bounded', async () => {
  const cap = 65_536;
  // stdout of a process whose reader went away: accepts writes, never completes them.
  const stuck = new Writable({ write: () => undefined });
  const config = loadConfig({
    TOLLGATE_HTTP_PORT: '0', TOLLGATE_ADMIN_PORT: '0', TOLLGATE_GRPC_PORT: '0', TOLLGATE_HOST: '127.0.0.1', TOLLGATE_LOG__AUDIT_BUFFER_BYTES: String(cap),
  });
  const app = new TollgateApp(config, { logStream: stuck });
  const ports = await app.start();
  const url = `http://127.0.0.1:${ports.http}`;
  const adminUrl = `http://127.0.0.1:${ports.admin}`;
  const longPath = `/v1/${'x'.repeat(900)}`;
  for (let i = 0; i < 300; i++) await postJson(`${url}/v1/authorize`, { ...MODELS, path: longPath });
  // Every record is over 1 KB: 300 would be over 300 KB; the buffer holds the cap plus the one line that crossed it.
  expect(stuck.writableLength).toBeLessThan(cap + 4096);
  expect(await metric(adminUrl, 'tollgate_audit_dropped_total', 'stdout')).toBeGreaterThan(200);
  expect((await fetch(`${adminUrl}/readyz`)).status).toBe(503);
  await Promise.race([app.stop(), new Promise((r) => setTimeout(r, 1000))]);
});

describe('attacker-sized fields in a decision record', () => {
  test.each([
    // A model name that long is model_invalid before any record; the path is taken as sent.
    { name: 'a 1 MB path', body: {}, path: `/v1/${'p'.repeat(1024 * 1024)}`, field: 'path' },
    { name: 'a 2 KB deployment in an Azure path', body: {}, path: `/openai/deployments/${'d'.repeat(2048)}/chat/completions`, field: 'path' },
  ])('$name makes a bounded line that says it was cut', async ({ body, path: reqPath, field }) => {
    const tg = await startTollgate({ TOLLGATE_SERVER__MAX_BODY_BYTES: String(4 * 1024 * 1024) });
    try {
      await postJson(`${tg.url}/v1/authorize`, { method: 'POST', path: reqPath, headers: {}, body });
      const line = tg.rawLogs().split('\n').find((l) => l.includes('"log_type":"decision"'))!;
      expect(line.length).toBeLessThan(4096);
      expect(JSON.parse(line)[field]).toMatch(/…\[truncated, \d+ chars\]$/);
    } finally {
      await tg.stop();
    }
  });

  test('10 000 tools: the first 32 and a count of the rest', async () => {
    const tg = await startTollgate();
    try {
      const tools = Array.from({ length: 10_000 }, (_, i) => ({ type: 'function', function: { name: `t${i}` } }));
      await postJson(`${tg.url}/v1/authorize`, { method: 'POST', path: '/v1/chat/completions', headers: {}, body: { model: 'gpt-4o', tools } });
      const tools_ = tg.decisions()[0].tools as string[];
      expect(tools_.slice(0, 2)).toEqual(['t0', 't1']);
      expect(tools_).toHaveLength(33);
      expect(tools_.at(-1)).toBe('…[9968 more]');
    } finally {
      await tg.stop();
    }
  });
});
