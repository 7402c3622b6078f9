import { MemoryUsageStore } from '../../../src/limits/memory-usage.js';
import type { Principal } from '../../../src/core/types.js';

const who = (subject: string): Principal => ({ kind: 'api_key', id: `api_key:${subject}`, subject, scopes: [], models: [], groups: [] });

describe('in-process usage counters', () => {
  test('minute and day windows roll over on UTC boundaries', async () => {
    let now = Date.UTC(2026, 0, 1, 23, 58, 30);
    const store = new MemoryUsageStore(10, () => now);
    await store.record('api_key:svc-a', { tokens: 100, requests: 1, costUsd: 0.5 });
    await store.record('api_key:svc-a', { tokens: 20, requests: 1, costUsd: 0 });
    expect(await store.usageFor(who('svc-a'))).toEqual({ minute: { tokens: 120, requests: 2, cost_usd: 0.5 }, day: { tokens: 120, requests: 2, cost_usd: 0.5 } });
    now += 60_000;
    await store.record('api_key:svc-a', { tokens: 5, requests: 1, costUsd: 0 });
    expect(await store.usageFor(who('svc-a'))).toMatchObject({ minute: { tokens: 5 }, day: { tokens: 125 } });
    now += 60_000;
    expect(await store.usageFor(who('svc-a'))).toMatchObject({ minute: { tokens: 0 }, day: { tokens: 0 } });
    expect(await store.usageFor(who('svc-b'))).toMatchObject({ minute: { tokens: 0 }, day: { tokens: 0 } });
  });

  test('callers are bounded: the least recently used is forgotten', async () => {
    const store = new MemoryUsageStore(2, () => 0);
    for (const s of ['a', 'b', 'c']) await store.record(`api_key:${s}`, { tokens: 1, requests: 1, costUsd: 0 });
    expect((await store.usageFor(who('a'))).day.tokens).toBe(0);
    expect((await store.usageFor(who('c'))).day.tokens).toBe(1);
  });

  test('counters are per identity id: the same subject as another kind or issuer has its own', async () => {
    const store = new MemoryUsageStore(10, () => 0);
    await store.record('api_key:svc', { tokens: 9, requests: 1, costUsd: 0 });
    const sameName: Principal[] = [
      { ...who('svc'), kind: 'jwt', id: 'jwt:https://idp.example#svc', issuer: 'https://idp.example' },
      { ...who('svc'), kind: 'mtls', id: 'mtls:svc' },
    ];
    for (const p of sameName) expect((await store.usageFor(p)).day.tokens).toBe(0);
    expect((await store.usageFor(who('svc'))).day.tokens).toBe(9);
  });
});
