import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RedisUsageStore } from '../../src/limits/redis-usage.js';
import { packageRoot } from '../../src/paths.js';
import { TestIdp } from '../helpers/idp.js';
import { buildBundle } from '../helpers/opa.js';
import { startRedis, type RunningRedis } from '../helpers/redis-server.js';
import { postJson, startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

const HOOK_TOKEN = 'budget-test-hook-token-0123456789';
const source = (file: string) => readFileSync(path.join(packageRoot(), file), 'utf8');

/** The documented example (docs/examples/token-budget) on top of the default policy, API key svc-a: 30 tokens a minute. */
function budgetBundle(): string {
  const data = { tollgate: { subjects: {}, groups: {}, token_budgets: { 'api_key:svc-a': { per_minute: 30, per_day: 1000 } } } };
  return buildBundle({
    'authz.rego': source('policies/authz.rego'),
    'budget.rego': source('docs/examples/token-budget/budget.rego'),
    'data.json': JSON.stringify(data),
  }, ['tollgate/budget/decision']);
}

describe.each(['memory', 'redis'])('token budget from outcomes (%s usage store)', (store) => {
  let tg: RunningTollgate;
  let key: TestKey;
  let redis: RunningRedis | undefined;
  let idp: TestIdp;
  let now = Date.UTC(2026, 0, 1, 12, 0, 10);
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }]);
    if (store === 'redis') redis = await startRedis();
    idp = await TestIdp.start();
    tg = await startTollgate({
      TOLLGATE_JWT_ISSUER: idp.issuer, TOLLGATE_JWT_AUDIENCE: 'tollgate',
      TOLLGATE_KEYS_FILE: file, TOLLGATE_HOOK_TOKEN: HOOK_TOKEN, TOLLGATE_POLICY_BUNDLE: budgetBundle(),
      TOLLGATE_POLICY__ENTRYPOINT: 'tollgate/budget/decision', ...(redis ? { TOLLGATE_USAGE__REDIS_URL: redis.url } : {}),
    }, undefined, () => now);
  });
  afterAll(async () => {
    await tg.stop();
    await redis?.stop();
    await idp.close();
  });

  const authorize = async (credential = key.secret) => (await postJson(`${tg.url}/v1/authorize`, {
    method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${credential}` }, body: { model: 'gpt-4o-mini', messages: [] },
  })).json;
  const spend = async (decisionId: string, tokens: number) => {
    const res = await postJson(`${tg.url}/v1/outcomes`, { decision_id: decisionId, usage: { total_tokens: tokens } }, { 'x-tollgate-hook-token': HOOK_TOKEN });
    expect(res.json.result).toBe('recorded');
  };

  test('spent budget denies with 429 and retry-after until the next minute', async () => {
    const first = await authorize();
    expect(first.allow).toBe(true);
    await spend(first.decision_id, 20);
    const second = await authorize();
    expect(second.allow).toBe(true);
    await spend(second.decision_id, 15);
    expect(await authorize()).toMatchObject({ allow: false, status: 429, reason: 'token_budget_exceeded', response_headers: { 'retry-after': '50' } });
    now += 60_000;
    expect((await authorize()).allow).toBe(true);
  });

  test('usage is counted per identity id: a JWT caller with the same subject keeps its own budget', async () => {
    now += 60_000;
    const jwt = await idp.token({ sub: 'svc-a', scope: 'model:gpt-4o*' }, { nowS: Math.floor(now / 1000) });
    const spent = await authorize();
    await spend(spent.decision_id, 40);
    expect(await authorize()).toMatchObject({ allow: false, reason: 'token_budget_exceeded' });
    expect(await authorize(jwt)).toMatchObject({ allow: true, identity: { subject: 'svc-a', credential: 'jwt' } });
  });

  test('an outcome for a decision this replica never saw counts under its reported principal_id, never under a bare subject', async () => {
    now += 60_000;
    const report = (doc: Record<string, unknown>) => postJson(`${tg.url}/v1/outcomes`, { usage: { total_tokens: 40 }, ...doc }, { 'x-tollgate-hook-token': HOOK_TOKEN });
    await report({ decision_id: 'elsewhere-1', subject: 'svc-a' });
    expect((await authorize()).allow).toBe(true);
    await report({ decision_id: 'elsewhere-2', principal_id: 'api_key:svc-a' });
    expect(await authorize()).toMatchObject({ allow: false, reason: 'token_budget_exceeded' });
  });
});

describe('Redis usage store', () => {
  let redis: RunningRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  const who = { kind: 'api_key' as const, id: 'api_key:svc-r', subject: 'svc-r', scopes: [], models: [], groups: [] };

  test('counters are shared by every replica (store instance)', async () => {
    const options = { url: redis.url, keyPrefix: 'test:', timeoutMs: 500, now: () => Date.UTC(2026, 0, 1), onError: () => undefined };
    const a = new RedisUsageStore(options);
    const b = new RedisUsageStore(options);
    await a.record(who.id, { tokens: 7, requests: 1, costUsd: 0.25 });
    await b.record(who.id, { tokens: 3, requests: 1, costUsd: 0.5 });
    expect(await b.usageFor(who)).toEqual({ minute: { tokens: 10, requests: 2, cost_usd: 0.75 }, day: { tokens: 10, requests: 2, cost_usd: 0.75 } });
    await Promise.all([a.close(), b.close()]);
  });

  test('an unreachable Redis fails closed: reads and writes reject as an unavailable dependency (503) in bounded time', async () => {
    const down = await startRedis();
    await down.stop();
    const store = new RedisUsageStore({ url: down.url, keyPrefix: 'test:', timeoutMs: 200, now: Date.now, onError: () => undefined });
    const started = Date.now();
    const unavailable = { code: 'ERR_DEPENDENCY_UNAVAILABLE', status: 503, reason: 'dependency_unavailable' };
    await expect(store.usageFor(who)).rejects.toMatchObject(unavailable);
    await expect(store.record(who.id, { tokens: 1, requests: 1, costUsd: 0 })).rejects.toMatchObject(unavailable);
    expect(Date.now() - started).toBeLessThan(5000);
    await store.close();
  });
});
