import path from 'node:path';
import { startRedis, type RunningRedis } from '../helpers/redis-server.js';
import { postJson, startTollgate, tempDir, writeFile, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';
import { waitFor } from '../helpers/wait.js';

/** `shared`: usage and limits with the same timeout share one connection (src/limits/redis-client.ts). */
const CONFIG = (mode: string, shared: boolean) => `
usage:
  redis_timeout_ms: ${shared ? 300 : 250}
limits:
  on_store_failure: ${mode}
  replicas: 2
  redis_timeout_ms: 300
  rules:
    - name: svc-a
      match: { subject: svc-a }
      rpm: 4
`;

describe.each([
  ['fail_closed', true], ['local_fallback', true], ['fail_closed', false],
])('Redis down with on_store_failure: %s (one shared connection: %s)', (mode, shared) => {
  let redis: RunningRedis;
  let tg: RunningTollgate;
  let key: TestKey;
  beforeAll(async () => {
    redis = await startRedis();
    const dir = tempDir();
    const keys = path.join(dir, 'keys.yaml');
    [key] = writeKeys(keys, [{ subject: 'svc-a', models: ['gpt-4o*'] }]);
    // A fixed clock: a minute turning mid-test would start a fresh rpm window.
    const now = Date.UTC(2026, 0, 1, 12, 0, 5);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: keys, TOLLGATE_USAGE__REDIS_URL: redis.url }, writeFile(dir, 'tollgate.yaml', CONFIG(mode, shared)), () => now);
  });
  afterAll(async () => {
    await tg.stop();
    await redis.stop();
  });

  const authorize = async () => (await postJson(`${tg.url}/v1/authorize`, {
    method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${key.secret}` }, body: { model: 'gpt-4o-mini', max_tokens: 5 },
  })).json;
  const metric = async (name: string) => {
    const text = await (await fetch(`${tg.adminUrl}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  };

  test('decides by the mode while Redis is down, and uses Redis again once it is back', async () => {
    const port = Number(new URL(redis.url).port);
    expect(await authorize()).toMatchObject({ allow: true, response_headers: { 'x-ratelimit-limit-requests': '4' } });
    await redis.stop();
    const during = await Promise.all([authorize(), authorize(), authorize()]);
    if (mode === 'fail_closed') {
      for (const d of during) expect(d).toMatchObject({ allow: false, status: 503, reason: 'limits_unavailable' });
      expect(await metric('tollgate_limits_local_fallback')).toBe(0);
    } else {
      // Each replica enforces rpm 4 / 2 replicas on its own.
      expect(during.map((d) => d.reason)).toEqual(['allowed', 'allowed', 'requests_limit_exceeded']);
      expect(during[2]).toMatchObject({ status: 429, reason: 'requests_limit_exceeded', response_headers: { 'x-ratelimit-limit-requests': '2' } });
      expect(await metric('tollgate_limits_local_fallback')).toBe(1);
      expect(tg.logs.some((l) => String(l.message).startsWith('limits: Redis unavailable'))).toBe(true);
    }
    expect(await metric('tollgate_limits_store_errors_total')).toBeGreaterThan(0);
    redis = await startRedis(port);
    await waitFor(async () => (await authorize()).reason === 'allowed', 10_000);
    // Back on the (fresh) Redis: it has counted the one call it admitted, nothing from the outage.
    expect((await authorize()).response_headers['x-ratelimit-remaining-requests']).toBe('2');
    expect(await metric('tollgate_limits_local_fallback')).toBe(0);
  });
});
