import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditTrail } from '../../src/observability/audit-trail.js';
import { Metrics } from '../../src/observability/metrics.js';
import { PolicyStore } from '../../src/policy/policy-store.js';
import { createAdminApp } from '../../src/server/admin.js';
import { postJson, startTollgate, tempDir, writeFile, type RunningTollgate } from '../helpers/tollgate.js';

describe('admin port', () => {
  let tg: RunningTollgate;
  beforeAll(async () => {
    tg = await startTollgate();
  });
  afterAll(() => tg.stop());

  test('/metrics counts decisions by gateway, result and reason, with a duration histogram and process metrics', async () => {
    await postJson(`${tg.url}/v1/authorize`, { method: 'GET', path: '/v1/models', headers: {} });
    await postJson(`${tg.url}/v1/authorize`, '{oops');
    const text = await (await fetch(`${tg.adminUrl}/metrics`)).text();
    expect(text).toMatch(/tollgate_decisions_total\{gateway="native",result="deny",reason="unauthenticated"\} 1/);
    expect(text).toMatch(/tollgate_decisions_total\{gateway="native",result="deny",reason="request_malformed"\} 1/);
    expect(text).toMatch(/tollgate_decision_duration_seconds_bucket\{le="0.001",gateway="native"\}/);
    expect(text).toMatch(/process_resident_memory_bytes/);
  });

  test('/v1/admin/policy describes the serving bundle', async () => {
    const body = await (await fetch(`${tg.adminUrl}/v1/admin/policy`)).json();
    expect(body).toMatchObject({ entrypoints: ['tollgate/authzen/decision', 'tollgate/authz/decision'], required_builtins: [] });
  });

  test('unknown paths on the authorization port are a JSON 404', async () => {
    const res = await fetch(`${tg.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('admin mutations (policy reload)', () => {
  const reload = (adminUrl: string, headers: Record<string, string> = {}) => fetch(`${adminUrl}/v1/admin/policy/reload`, { method: 'POST', headers });

  test('the admin port listens on loopback by default, where a reload needs no token', async () => {
    const tg = await startTollgate({ TOLLGATE_HOST: '0.0.0.0' });
    try {
      expect(tg.app.config.server.admin_host).toBe('127.0.0.1');
      expect((await reload(tg.adminUrl)).status).toBe(200);
    } finally {
      await tg.stop();
    }
  });

  test('off loopback without server.admin_token_file, every mutation is refused; reads stay open for probes', async () => {
    const tg = await startTollgate({ TOLLGATE_ADMIN_HOST: '0.0.0.0' });
    try {
      const res = await reload(tg.adminUrl);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'admin_mutation_refused' } });
      for (const method of ['PUT', 'DELETE', 'PATCH']) expect((await fetch(`${tg.adminUrl}/v1/admin/policy/reload`, { method })).status).toBe(403);
      expect((await fetch(`${tg.adminUrl}/readyz`)).status).toBe(200);
      expect((await fetch(`${tg.adminUrl}/metrics`)).status).toBe(200);
    } finally {
      await tg.stop();
    }
  });

  test('with server.admin_token_file a mutation needs exactly that bearer token, wherever the port listens', async () => {
    const token = 'admin-token-0123456789abcdef';
    const file = writeFile(tempDir(), 'admin-token', `${token}\n`);
    for (const host of ['127.0.0.1', '0.0.0.0']) {
      const tg = await startTollgate({ TOLLGATE_ADMIN_HOST: host, TOLLGATE_SERVER__ADMIN_TOKEN_FILE: file });
      try {
        for (const authorization of [undefined, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, token, `Basic ${token}`]) {
          const res = await reload(tg.adminUrl, authorization ? { authorization } : {});
          expect(res.status).toBe(401);
          expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tollgate-admin"');
          expect(await res.json()).toEqual({ error: { code: 'unauthenticated', message: expect.stringContaining('admin_token_file') } });
        }
        expect((await reload(tg.adminUrl, { authorization: `Bearer ${token}` })).status).toBe(200);
        expect(tg.rawLogs()).not.toContain(token);
      } finally {
        await tg.stop();
      }
    }
  });

  test.each([
    ['empty', (dir: string) => writeFile(dir, 'admin-token', '\n')],
    ['short', (dir: string) => writeFile(dir, 'admin-token', 'fifteen-chars-x')],
    ['missing', (dir: string) => `${dir}/no-such-token`],
  ])('a %s token file stops the start (fail closed) with ERR_ADMIN_TOKEN_INVALID', async (_name, tokenFile) => {
    const file = tokenFile(tempDir());
    await expect(startTollgate({ TOLLGATE_SERVER__ADMIN_TOKEN_FILE: file })).rejects.toMatchObject({ code: 'ERR_ADMIN_TOKEN_INVALID' });
  });
});

describe('admin port without a loaded policy', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const policies = new PolicyStore({ bundlePath: '/nonexistent', entrypoint: 'x', maxMemoryPages: 16, pollIntervalMs: 1000, now: Date.now });
    const audit = { healthy: true, status: () => ({}) } as unknown as AuditTrail;
    const app = createAdminApp({ metrics: new Metrics(), policies, audit, access: { token: null, loopbackOnly: true } });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test('readiness and the policy status both say policy_not_ready, the code decisions deny with', async () => {
    const ready = await fetch(`${url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([503, { status: 'not_ready', reason: 'policy_not_ready' }]);
    const policy = await fetch(`${url}/v1/admin/policy`);
    expect([policy.status, await policy.json()]).toEqual([503, { error: { code: 'policy_not_ready', message: 'no policy bundle is loaded' } }]);
  });
});
