import { Redis } from 'ioredis';
import { RedisLimitStore } from '../../src/limits/redis-limits.js';
import { RedisUsageStore } from '../../src/limits/redis-usage.js';
import type { Principal } from '../../src/core/types.js';
import type { AppliedLimit } from '../../src/limits/applicable.js';
import { startRedis, type RunningRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

const who: Principal = { id: 'api_key:svc-a', kind: 'api_key', subject: 'svc-a', scopes: [], models: [], groups: [] };
const rpm: AppliedLimit = { name: 'credential.rpm', source: 'credential', kind: 'requests', period: '1m', limit: 10, counter: 'credential.rpm|api_key:svc-a', shared: false };

describe('usage and limit stores on one Redis', () => {
  let redis: RunningRedis;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });

  /** Connections other than the admin client's own. */
  const storeConnections = async () => (await admin.client('LIST') as string).trim().split('\n').length - 1;
  const stores = (usageTimeoutMs: number, limitTimeoutMs: number) => ({
    usage: new RedisUsageStore({ url: redis.url, keyPrefix: 'u:', timeoutMs: usageTimeoutMs, now: Date.now, onError: () => undefined }),
    limits: new RedisLimitStore({ url: redis.url, keyPrefix: 'l:', timeoutMs: limitTimeoutMs, reservationTtlMs: 60_000, onError: () => undefined }),
  });

  test('the same timeout: one connection, used by both, closed once when the last store closes', async () => {
    const { usage, limits } = stores(250, 250);
    const [read, admission] = await Promise.all([usage.usageFor(who), limits.admit({ decisionId: 'd1', limits: [rpm], tokens: 5, nowMs: Date.now() })]);
    expect(read.minute.requests).toBe(0);
    expect(admission.admitted).toBe(true);
    expect(await storeConnections()).toBe(1);
    await limits.close();
    await limits.close(); // a second close of the same store gives nothing back twice
    expect((await usage.usageFor(who)).minute.requests).toBe(0);
    await usage.close();
    await waitFor(async () => (await storeConnections()) === 0, 5000);
  });

  test('different timeouts: a connection each', async () => {
    const { usage, limits } = stores(250, 3000);
    await Promise.all([usage.usageFor(who), limits.admit({ decisionId: 'd2', limits: [rpm], tokens: 5, nowMs: Date.now() })]);
    expect(await storeConnections()).toBe(2);
    await Promise.all([usage.close(), limits.close()]);
    await waitFor(async () => (await storeConnections()) === 0, 5000);
  });
});
