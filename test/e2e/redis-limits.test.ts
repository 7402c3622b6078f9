import path from 'node:path';
import { Redis } from 'ioredis';
import { spawnServe, type ServeProcess } from '../helpers/cli.js';
import { startRedis, type RunningRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { postJson, tempDir, writeFile, writeKeys, type TestKey } from '../helpers/tollgate.js';
import { RedisLimitStore } from '../../src/limits/redis-limits.js';
import type { AppliedLimit } from '../../src/limits/applicable.js';

const HOOK_TOKEN = 'redis-limits-hook-token-0123456789';
const CONFIG = `
limits:
  rules:
    - name: budget
      match: { subject: svc-a }
      token_budget: 1000/1d
`;

/** A body whose reservation is exactly `tokens`: ceil(bytes / 4) + max_tokens. */
function bodyReserving(tokens: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  for (let max = tokens; max > 0; max--) {
    const body = { model: 'gpt-4o-mini', ...extra, max_tokens: max };
    if (Math.ceil(JSON.stringify(body).length / 4) + max === tokens) return body;
  }
  throw new Error(`no body reserves ${tokens}`);
}

describe('two Tollgate processes sharing one Redis', () => {
  let redis: RunningRedis;
  let client: Redis;
  let replicas: ServeProcess[];
  let key: TestKey;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    const dir = tempDir();
    const keys = path.join(dir, 'keys.yaml');
    [key] = writeKeys(keys, [{ subject: 'svc-a', models: ['gpt-4o*'] }]);
    const env = { TOLLGATE_CONFIG: writeFile(dir, 'tollgate.yaml', CONFIG), TOLLGATE_KEYS_FILE: keys, TOLLGATE_HOOK_TOKEN: HOOK_TOKEN, TOLLGATE_USAGE__REDIS_URL: redis.url,
      // Two cores shared by many test processes: a loaded machine must not turn a slow answer into a 503.
      TOLLGATE_LIMITS__REDIS_TIMEOUT_MS: '3000' };
    replicas = await Promise.all([spawnServe(env), spawnServe(env)]);
  }, 120_000); // spawnServe compiles dist/ first: slow while the whole suite runs
  afterAll(async () => {
    for (const r of replicas ?? []) r.child.kill('SIGTERM');
    await Promise.all((replicas ?? []).map((r) => r.exited));
    client.disconnect();
    await redis.stop();
  });

  const url = (i: number) => `http://127.0.0.1:${replicas[i % 2].ports.http}`;
  const authorize = async (i: number, body: Record<string, unknown>) => (await postJson(`${url(i)}/v1/authorize`, {
    method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${key.secret}` }, body,
  })).json;
  const report = async (i: number, decisionId: string, tokens: number, stream = false) => (await postJson(`${url(i)}/v1/outcomes`,
    { decision_id: decisionId, usage: { total_tokens: tokens }, stream }, { 'x-tollgate-hook-token': HOOK_TOKEN })).json;
  const counter = async () => {
    const day = Math.floor(Date.now() / 86_400_000);
    const hash = await client.hgetall(`tollgate:limits:t:1d:${day}:budget.token_budget|api_key:svc-a`);
    return { used: Number(hash.used ?? 0), reserved: Number(hash.reserved ?? 0) };
  };

  test('40 concurrent calls of 100 tokens against 1,000: exactly 10 admitted, none lost, counters equal the settled outcomes', async () => {
    const body = bodyReserving(100);
    const decisions = await Promise.all(Array.from({ length: 40 }, (_, i) => authorize(i, body)));
    const admitted = decisions.filter((d) => d.allow);
    expect(decisions.filter((d) => !d.allow).map((d) => d.reason)).toEqual(Array(30).fill('tokens_limit_exceeded'));
    expect(admitted).toHaveLength(10);
    expect(await counter()).toEqual({ used: 0, reserved: 1000 });
    // None lost: every call has its answer above and its audit record on the replica that decided it.
    const ids = new Set(decisions.map((d) => d.decision_id));
    await waitFor(() => replicas.flatMap((r) => r.lines).filter((l) => l.log_type === 'decision' && ids.has(l.decision_id)).length === 40);
    // Settled on the other replica than the one that decided: the reservation lives in Redis.
    const actual = admitted.map((_, i) => 40 + i * 5);
    await Promise.all(admitted.map((d, i) => report(i + 1, d.decision_id, actual[i])));
    const settled = actual.reduce((a, b) => a + b, 0);
    expect(await counter()).toEqual({ used: settled, reserved: 0 });
    const next = await authorize(0, bodyReserving(100));
    expect(next.response_headers['x-ratelimit-remaining-tokens']).toBe(String(1000 - settled - 100));
    await report(1, next.decision_id, 0);
  });

  test('a streaming call is admitted on its reservation and settled by its final outcome', async () => {
    const before = await counter();
    const d = await authorize(0, bodyReserving(120, { stream: true }));
    expect(d.allow).toBe(true);
    expect(await counter()).toEqual({ used: before.used, reserved: before.reserved + 120 });
    expect((await report(1, d.decision_id, 77, true)).result).toBe('recorded');
    expect(await counter()).toEqual({ used: before.used + 77, reserved: before.reserved });
  });
});

describe('a policy deny after admission, with Redis', () => {
  let redis: RunningRedis;
  afterAll(() => redis?.stop());

  test('gives the request and the reservation back', async () => {
    redis = await startRedis();
    const options = { url: redis.url, keyPrefix: 'deny:', timeoutMs: 1000, reservationTtlMs: 60_000, onError: () => undefined };
    const store = new RedisLimitStore(options);
    const limits: AppliedLimit[] = [
      { name: 'r.rpm', source: 'config', kind: 'requests', period: '1m', limit: 1, counter: 'r.rpm|a', shared: false },
      { name: 'r.tpm', source: 'config', kind: 'tokens', period: '1m', limit: 100, counter: 'r.tpm|a', shared: false },
    ];
    const ask = { decisionId: 'denied-1', limits, tokens: 100, nowMs: Date.UTC(2026, 0, 1, 12) };
    const taken = await store.admit(ask);
    expect(taken.admitted).toBe(true);
    expect((await store.admit({ ...ask, decisionId: 'second' })).admitted).toBe(false);
    await store.release(ask);
    expect(await store.settle('denied-1', 5, ask.nowMs)).toBe(false);
    expect(await store.admit({ ...ask, decisionId: 'third' })).toMatchObject({ admitted: true, states: [{ used: 0, reserved: 0 }, { used: 0, reserved: 0 }] });
    await store.close();
  });
});

describe('Redis limit store at a minute edge', () => {
  let redis: RunningRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  test('two replicas, 40 concurrent calls either side of the edge against rpm 10: 10 admitted in each minute', async () => {
    const options = { url: redis.url, keyPrefix: 'edge:', timeoutMs: 1000, reservationTtlMs: 60_000, onError: () => undefined };
    const stores = [new RedisLimitStore(options), new RedisLimitStore(options)];
    const rpm: AppliedLimit = { name: 'r.rpm', source: 'config', kind: 'requests', period: '1m', limit: 10, counter: 'r.rpm|api_key:x', shared: false };
    const edge = Date.UTC(2026, 0, 1, 12, 1, 0);
    const calls = Array.from({ length: 80 }, (_, i) => ({ nowMs: i % 2 === 0 ? edge - 1 : edge, store: stores[i % 4 < 2 ? 0 : 1] }));
    const results = await Promise.all(calls.map(({ nowMs, store }, i) => store.admit({ decisionId: `d${i}`, limits: [rpm], tokens: 5, nowMs })));
    const admittedAt = (nowMs: number) => results.filter((r, i) => r.admitted && calls[i].nowMs === nowMs).length;
    expect([admittedAt(edge - 1), admittedAt(edge)]).toEqual([10, 10]);
    await Promise.all(stores.map((s) => s.close()));
  });
});
