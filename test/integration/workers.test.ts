import { readFileSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { request } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { writeKeyFile } from '../../src/identity/key-file.js';
import { runCli, spawnServe, type ServeProcess } from '../helpers/cli.js';
import { BundleServer } from '../helpers/bundle-server.js';
import { authorizationClient, chatCheck } from '../helpers/grpc-client.js';
import { ENTRYPOINT, hostileBundles } from '../helpers/hostile-bundles.js';
import { startRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { tempDir, writeKeys } from '../helpers/tollgate.js';

const WORKERS = { TOLLGATE_SERVER__WORKERS: '2' };

/** POST on a connection of its own, so cluster round robin can hand it to either worker. */
function postOnNewConnection(port: number, body: unknown, urlPath = '/v1/authorize', headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: urlPath, agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

interface Readiness {
  status: string;
  reason?: string;
  disagree?: string[];
  workers: Array<{ pid: number; ready: boolean; decisions: number; keys_sha256: string | null; policy_sha256: string | null }>;
}

async function readiness(tg: ServeProcess): Promise<{ status: number; body: Readiness }> {
  const res = await fetch(`http://127.0.0.1:${tg.ports.admin}/readyz`);
  return { status: res.status, body: await res.json() as Readiness };
}

async function reload(tg: ServeProcess): Promise<{ status: number; body: { revision: string | null; workers: Array<{ revision: string | null; error?: string }> } }> {
  const res = await fetch(`http://127.0.0.1:${tg.ports.admin}/v1/admin/policy/reload`, { method: 'POST' });
  return { status: res.status, body: await res.json() as { revision: string | null; workers: Array<{ revision: string | null; error?: string }> } };
}

async function metric(tg: ServeProcess, line: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${tg.ports.admin}/metrics`)).text();
  const found = text.split('\n').find((l) => line.test(l));
  return found === undefined ? NaN : Number(found.split(' ').pop());
}

const chatWith = (secret: string) => ({ method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${secret}` }, body: { model: 'gpt-4o-mini' } });

describe('server.workers: 2', () => {
  let tg: ServeProcess;
  let keysFile: string;
  beforeAll(async () => {
    keysFile = path.join(tempDir(), 'keys.yaml');
    writeKeys(keysFile, [{ subject: 'first', models: ['*'] }]);
    tg = await spawnServe({ ...WORKERS, TOLLGATE_KEYS_FILE: keysFile, TOLLGATE_KEYS__POLL_INTERVAL_MS: '50' });
  });
  afterAll(async () => {
    tg.child.kill('SIGTERM');
    expect(await tg.exited).toBe(0);
  });

  test('the ports are logged once, by the primary, and both workers share them', () => {
    const listening = tg.lines.filter((l) => l.message === 'tollgate listening');
    expect(listening).toEqual([expect.objectContaining({ workers: 2, worker_pids: [expect.any(Number), expect.any(Number)] })]);
    const workers = tg.lines.filter((l) => l.message === 'worker listening');
    expect(workers.map((w) => w.http_port)).toEqual([tg.ports.http, tg.ports.http]);
  });

  test('a key added to the file is honoured by every worker; decisions are spread over both and the metrics sum them', async () => {
    const decidedBefore = new Map((await readiness(tg)).body.workers.map((w) => [w.pid, w.decisions]));
    const [added] = writeKeys(keysFile, [{ subject: 'second', models: ['*'] }]);
    // The primary watches the file and tells each worker to reload (the counter sums their reloads).
    await waitFor(async () => (await metric(tg, /^tollgate_keys_reloads_total\{result="success"\}/)) >= 2);
    const answers = await Promise.all(Array.from({ length: 20 }, () => postOnNewConnection(tg.ports.http, chatWith(added.secret))));
    expect(answers.map((a) => a.json.allow)).toEqual(Array(20).fill(true));
    const { status, body } = await readiness(tg);
    expect(status).toBe(200);
    // Both workers decided some of the 20: the new key worked in each.
    expect(body.workers).toHaveLength(2);
    for (const w of body.workers) expect(w.decisions).toBeGreaterThan(decidedBefore.get(w.pid) ?? 0);
    expect(await metric(tg, /^tollgate_decisions_total\{gateway="native",result="allow"/)).toBe(20);
    expect(await metric(tg, /^tollgate_api_keys_loaded /)).toBe(1);
    // The gRPC port is shared the same way.
    const grpc = authorizationClient(tg.ports.grpc!);
    try {
      expect((await grpc.check(chatCheck('gpt-4o-mini', { authorization: `Bearer ${added.secret}` }))).status.code).toBe(0);
    } finally {
      grpc.close();
    }
    expect(await metric(tg, /^tollgate_bundle_active_info\{/)).toBe(1);
  });

  test('a key revoked after a half-written file is refused by every worker, and they report the same keys', async () => {
    const [kept, revoked] = writeKeys(keysFile, [{ subject: 'kept', models: ['*'] }, { subject: 'revoked', models: ['*'] }]);
    await waitFor(async () => (await readiness(tg)).body.workers.every((w) => w.keys_sha256 !== null) && (await metric(tg, /^tollgate_api_keys_loaded /)) === 2);
    const before = (await readiness(tg)).body.workers[0].keys_sha256;
    const staged = path.join(tempDir(), 'keys.yaml');
    writeKeyFile(staged, [kept.record]);
    const full = readFileSync(staged, 'utf8');
    // Half of the new file first (a writer mid-write), then all of it: `revoked` is no longer in it.
    writeFileSync(keysFile, full.slice(0, full.length / 2));
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(keysFile, full);
    // Every worker holds one key (the half file may have left none) and all hold the same.
    await waitFor(async () => {
      const { status, body } = await readiness(tg);
      return status === 200 && body.workers[0].keys_sha256 !== before && (await metric(tg, /^tollgate_api_keys_loaded /)) === 1;
    });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => postOnNewConnection(tg.ports.http, chatWith(i % 2 === 0 ? revoked.secret : kept.secret))));
    expect(answers.map((a) => a.json.allow)).toEqual(Array.from({ length: 20 }, (_, i) => i % 2 === 1));
  });

  test('a policy reload through the admin port reaches every worker', async () => {
    const res = await fetch(`http://127.0.0.1:${tg.ports.admin}/v1/admin/policy/reload`, { method: 'POST' });
    const body = await res.json() as { revision: string; workers: Array<{ pid: number; revision: string }> };
    expect(res.status).toBe(200);
    expect(body.workers).toHaveLength(2);
    expect(body.workers.every((w) => w.revision === body.revision)).toBe(true);
  });

  test('a killed worker is restarted, logged and counted; readiness waits for it', async () => {
    const { body } = await readiness(tg);
    const victim = body.workers[0].pid;
    process.kill(victim, 'SIGKILL');
    await waitFor(async () => {
      const now = await readiness(tg);
      return now.status === 200 && now.body.workers.length === 2 && !now.body.workers.some((w) => w.pid === victim);
    });
    expect(tg.lines).toContainEqual(expect.objectContaining({ message: 'worker exited; restarting it', pid: victim, signal: 'SIGKILL' }));
    expect(await metric(tg, /^tollgate_worker_restarts_total /)).toBe(1);
  });
});

describe('server.workers: 2, agreement', () => {
  test('workers holding different keys or bundles make /readyz 503 workers_disagree', async () => {
    const dir = tempDir();
    const keysFile = path.join(dir, 'keys.yaml');
    const bundleFile = path.join(dir, 'bundle.tar.gz');
    const { good } = hostileBundles();
    writeKeys(keysFile, [{ subject: 'first', models: ['*'] }]);
    writeFileSync(bundleFile, good('rev-1'));
    // Nothing is watched within the test: only the restarted worker reads the changed files.
    const never = '3600000';
    const tg = await spawnServe({
      ...WORKERS, TOLLGATE_KEYS_FILE: keysFile, TOLLGATE_KEYS__POLL_INTERVAL_MS: never,
      TOLLGATE_POLICY_BUNDLE: bundleFile, TOLLGATE_POLICY__ENTRYPOINT: ENTRYPOINT, TOLLGATE_POLICY__POLL_INTERVAL_MS: never,
    });
    try {
      const before = await readiness(tg);
      expect(before.status).toBe(200);
      writeKeys(keysFile, [{ subject: 'second', models: ['*'] }]);
      writeFileSync(bundleFile, good('rev-2'));
      const victim = before.body.workers[0].pid;
      process.kill(victim, 'SIGKILL');
      await waitFor(async () => (await readiness(tg)).body.workers.filter((w) => w.pid !== victim).length === 2);
      const { status, body } = await readiness(tg);
      expect(status).toBe(503);
      expect(body).toMatchObject({ reason: 'workers_disagree', disagree: ['policy_sha256', 'keys_sha256'] });
      // The policy endpoint does not pass one worker's revision off as everyone's.
      const policy = await fetch(`http://127.0.0.1:${tg.ports.admin}/v1/admin/policy`);
      expect(policy.status).toBe(503);
      expect(await policy.json()).toMatchObject({ reason: 'workers_disagree', revision: null, workers: expect.arrayContaining([expect.objectContaining({ revision: 'rev-1' })]) });
      // A reload brings every worker to the bundle on disk: only the keys still differ.
      expect(await reload(tg)).toMatchObject({ status: 200, body: { revision: 'rev-2', workers: [{ revision: 'rev-2' }, { revision: 'rev-2' }] } });
      expect((await readiness(tg)).body).toMatchObject({ reason: 'workers_disagree', disagree: ['keys_sha256'] });
    } finally {
      tg.child.kill('SIGTERM');
      await tg.exited;
    }
  });

  test('a policy reload that fails on the workers is a 500 naming each error, not a 200', async () => {
    const bundleFile = path.join(tempDir(), 'bundle.tar.gz');
    writeFileSync(bundleFile, hostileBundles().good('rev-1'));
    const tg = await spawnServe({ ...WORKERS, TOLLGATE_POLICY_BUNDLE: bundleFile, TOLLGATE_POLICY__ENTRYPOINT: ENTRYPOINT, TOLLGATE_POLICY__POLL_INTERVAL_MS: '3600000' });
    try {
      writeFileSync(bundleFile, 'not a bundle');
      const { status, body } = await reload(tg);
      expect(status).toBe(500);
      expect(body).toMatchObject({ status: 'failed', reason: 'reload_failed', revision: null });
      expect(body.workers).toEqual([expect.anything(), expect.anything()].map(() => expect.objectContaining({ revision: 'rev-1', error: expect.stringMatching(/gzip/) })));
    } finally {
      tg.child.kill('SIGTERM');
      await tg.exited;
    }
  });

  test('a policy reload waits for a bundle server slower than the status questions (up to its download timeout)', async () => {
    const server = new BundleServer();
    const url = await server.listen();
    const { good } = hostileBundles();
    server.publish(good('rev-1'));
    const tg = await spawnServe({
      ...WORKERS, TOLLGATE_POLICY__ENTRYPOINT: ENTRYPOINT, TOLLGATE_POLICY__REMOTE__URL: url, TOLLGATE_POLICY__REMOTE__TIMEOUT_SECONDS: '10',
      TOLLGATE_POLICY__REMOTE__POLLING__MIN_DELAY_SECONDS: '3600', TOLLGATE_POLICY__REMOTE__POLLING__MAX_DELAY_SECONDS: '3600',
    });
    try {
      server.publish(good('rev-2'));
      server.set({ kind: 'slow', ms: 2_500 });
      expect(await reload(tg)).toMatchObject({ status: 200, body: { revision: 'rev-2', workers: [{ revision: 'rev-2' }, { revision: 'rev-2' }] } });
    } finally {
      tg.child.kill('SIGTERM');
      await tg.exited;
      await server.close();
    }
  });
});

describe('server.workers: 2, outcomes', () => {
  test('an outcome reported to the other worker is linked to its decision and caller', async () => {
    const redis = await startRedis();
    const keysFile = path.join(tempDir(), 'keys.yaml');
    const [key] = writeKeys(keysFile, [{ subject: 'svc-a', models: ['*'] }]);
    const hookToken = 'workers-test-hook-token-0123456789';
    const tg = await spawnServe({ ...WORKERS, TOLLGATE_KEYS_FILE: keysFile, TOLLGATE_HOOK_TOKEN: hookToken, TOLLGATE_USAGE__REDIS_URL: redis.url });
    try {
      const decided = await Promise.all(Array.from({ length: 10 }, () => postOnNewConnection(tg.ports.http, chatWith(key.secret))));
      const ids = decided.map((d) => d.json.decision_id as string);
      for (const id of ids) {
        const report = { decision_id: id, model: 'gpt-4o-mini', provider: 'openai', usage: { prompt_tokens: 1, completion_tokens: 1 }, status: 'success' };
        expect((await postOnNewConnection(tg.ports.http, report, '/v1/outcomes', { 'x-tollgate-hook-token': hookToken })).json.result).toBe('recorded');
      }
      // Round robin spread the decisions and the reports over both workers, so some reports met the other one.
      expect((await readiness(tg)).body.workers.every((w) => w.decisions > 0)).toBe(true);
      await waitFor(() => tg.lines.filter((l) => l.log_type === 'outcome').length === 10);
      const outcomes = tg.lines.filter((l) => l.log_type === 'outcome');
      expect(outcomes.map((o) => [o.decision_known, o.subject, o.key_id])).toEqual(Array(10).fill([true, 'svc-a', key.id]));
    } finally {
      tg.child.kill('SIGTERM');
      await tg.exited;
      await redis.stop();
    }
  });

  test('a report repeated to both workers at once is recorded and counted once', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url);
    const keysFile = path.join(tempDir(), 'keys.yaml');
    const [key] = writeKeys(keysFile, [{ subject: 'svc-a', models: ['*'] }]);
    const hookToken = 'workers-test-hook-token-0123456789';
    const tg = await spawnServe({ ...WORKERS, TOLLGATE_KEYS_FILE: keysFile, TOLLGATE_HOOK_TOKEN: hookToken, TOLLGATE_USAGE__REDIS_URL: redis.url });
    try {
      const { json: decided } = await postOnNewConnection(tg.ports.http, chatWith(key.secret));
      const report = { decision_id: decided.decision_id, model: 'gpt-4o-mini', provider: 'openai', usage: { prompt_tokens: 3, completion_tokens: 4 }, status: 'success' };
      // Eight connections at once: round robin gives each worker some of the repeats (a gateway's retries).
      const answers = await Promise.all(Array.from({ length: 8 }, () => postOnNewConnection(tg.ports.http, report, '/v1/outcomes', { 'x-tollgate-hook-token': hookToken })));
      expect(answers.map((a) => a.json.result).sort()).toEqual([...Array(7).fill('duplicate'), 'recorded']);
      const dayKeys = await client.keys('tollgate:usage:d:*');
      expect(dayKeys).toHaveLength(1);
      expect(await client.hgetall(dayKeys[0])).toMatchObject({ tokens: '7', requests: '1' });
      await waitFor(() => tg.lines.some((l) => l.log_type === 'outcome'));
      expect(tg.lines.filter((l) => l.log_type === 'outcome')).toHaveLength(1);
    } finally {
      tg.child.kill('SIGTERM');
      await tg.exited;
      client.disconnect();
      await redis.stop();
    }
  });
});

describe('server.workers: 2, lifecycle', () => {
  test.each([
    ['SIGTERM drains every worker', false],
    // An impatient operator or a terminal's Ctrl-C (sent to the whole process group) signals again.
    ['repeated SIGTERM and SIGINT, to the primary and to each worker, do not cut the drain short', true],
  ])('%s: requests in flight on each are answered, then the primary exits 0', async (_name, repeat) => {
    const tg = await spawnServe(WORKERS);
    const body = JSON.stringify({ method: 'GET', path: '/v1/models', headers: {} });
    // Four connections, so round robin gives each worker some; each request waits half sent.
    const sockets = await Promise.all(Array.from({ length: 4 }, () => new Promise<net.Socket>((resolve) => {
      const socket = net.connect(tg.ports.http, '127.0.0.1', () => resolve(socket));
    })));
    const responses = sockets.map((socket) => {
      socket.write(`POST /v1/authorize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`);
      let text = '';
      socket.on('data', (c: Buffer) => { text += c.toString(); });
      return new Promise<string>((resolve) => socket.once('close', () => resolve(text)));
    });
    await waitFor(async () => (await readiness(tg)).body.workers.length === 2);
    const { workers } = (await readiness(tg)).body;
    tg.child.kill('SIGTERM');
    await waitFor(() => tg.lines.filter((l) => l.message === 'worker shutting down').length === 2);
    if (repeat) {
      for (const signal of ['SIGTERM', 'SIGINT', 'SIGTERM'] as const) {
        tg.child.kill(signal);
        for (const w of workers) process.kill(w.pid, signal === 'SIGTERM' ? 'SIGINT' : 'SIGTERM');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const socket of sockets) socket.write(body.slice(10));
    for (const text of await Promise.all(responses)) expect(text).toMatch(/^HTTP\/1\.1 200[^]*"reason":"unauthenticated"/);
    expect(await tg.exited).toBe(0);
    expect(tg.lines.filter((l) => l.log_type === 'decision')).toHaveLength(4);
    expect(tg.lines.at(-1)).toMatchObject({ message: 'all workers exited', clean: true });
  });

  test('workers that die after a long run are restarted later each time, not at once forever', async () => {
    const tg = await spawnServe(WORKERS);
    try {
      const { workers } = (await readiness(tg)).body;
      // Past the 10 s after which a crash is not a quick one.
      await new Promise((r) => setTimeout(r, 10_500));
      const restarts = () => tg.lines.filter((l) => l.message === 'worker exited; restarting it');
      for (const [i, w] of workers.entries()) {
        process.kill(w.pid, 'SIGKILL');
        await waitFor(() => restarts().length === i + 1);
      }
      expect(restarts().map((l) => [l.signal, (l.uptime_ms as number) > 10_000, l.restart_in_ms])).toEqual([['SIGKILL', true, 0], ['SIGKILL', true, 1_000]]);
      await waitFor(async () => (await readiness(tg)).status === 200);
    } finally {
      tg.child.kill('SIGTERM');
      await tg.exited;
    }
  }, 60_000);

  test('audit lines larger than a pipe write stay whole when both workers write at once', async () => {
    const tg = await spawnServe({ ...WORKERS, TOLLGATE_LOG__INCLUDE_INPUT: 'true' });
    try {
      // The recorded input carries the headers: a ~20 KiB line, five times PIPE_BUF.
      const headers = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`x-h${i}`, 'v'.repeat(500)]));
      await Promise.all(Array.from({ length: 40 }, () => postOnNewConnection(tg.ports.http, { method: 'GET', path: '/v1/models', headers })));
      // spawnServe parses every stdout line as JSON: an interleaved line would have failed there.
      await waitFor(() => tg.lines.filter((l) => l.log_type === 'decision').length === 40);
      expect(tg.lines.filter((l) => l.log_type === 'decision').every((l) => JSON.stringify(l).length > 16 * 1024)).toBe(true);
    } finally {
      tg.child.kill('SIGTERM');
      await tg.exited;
    }
  });

  test('a bundle that does not load stops the start: every worker and the primary exit', () => {
    const bad = path.join(tempDir(), 'bad.tar.gz');
    writeFileSync(bad, 'not a bundle');
    const res = runCli(['serve'], { ...WORKERS, TOLLGATE_POLICY_BUNDLE: bad, TOLLGATE_HTTP_PORT: '0', TOLLGATE_ADMIN_PORT: '0', TOLLGATE_GRPC_PORT: '0' });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/failed to start: .*gzip/);
  });

  test.each([
    ['limits.rules', { TOLLGATE_LIMITS__RULES: '[{name: everyone, rpm: 10}]' }, /limits\.rules need usage\.redis_url/],
    ['outcomes', { TOLLGATE_OUTCOMES__HOOK_TOKEN: 'a-hook-token-of-16+' }, /outcomes \(outcomes\.hook_token\) need usage\.redis_url/],
    ['workers: 0', { TOLLGATE_SERVER__WORKERS: '0' }, /server\.workers/],
  ])('refuses to start: %s without a shared store', (_name, env, message) => {
    const res = runCli(['serve'], { ...WORKERS, TOLLGATE_HTTP_PORT: '0', TOLLGATE_ADMIN_PORT: '0', TOLLGATE_GRPC_PORT: '0', ...env });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(message);
  });
});
