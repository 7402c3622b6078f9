import { copyFileSync, renameSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { defaultBundlePath } from '../../src/paths.js';
import { runCli, spawnServe, type ServeProcess } from '../helpers/cli.js';
import { buildBundle } from '../helpers/opa.js';
import { waitFor } from '../helpers/wait.js';
import { postJson, tempDir } from '../helpers/tollgate.js';

describe('tollgate serve as a process', () => {
  test('starts on the embedded default config and policy, and reports ready', async () => {
    const tg = await spawnServe({});
    try {
      const ready = await fetch(`http://127.0.0.1:${tg.ports.admin}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', policy_revision: expect.stringMatching(/^[0-9a-f]{12}$/) });
      expect((await fetch(`http://127.0.0.1:${tg.ports.admin}/healthz`)).status).toBe(200);
    } finally {
      tg.child.kill('SIGTERM');
      expect(await tg.exited).toBe(0);
    }
  });

  test('SIGTERM: in-flight requests finish, decision logged, exit 0', async () => {
    const tg = await spawnServe({});
    const body = JSON.stringify({ method: 'GET', path: '/v1/models', headers: {} });
    const socket = net.connect(tg.ports.http, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(`POST /v1/authorize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((r) => setTimeout(r, 100));
    tg.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    let response = '';
    socket.on('data', (c: Buffer) => { response += c.toString(); });
    socket.write(body.slice(10));
    await new Promise((r) => socket.once('close', r));
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(response).toContain('"reason":"unauthenticated"');
    expect(await tg.exited).toBe(0);
    expect(tg.lines.some((l) => l.log_type === 'decision' && l.reason === 'unauthenticated')).toBe(true);
  });

  test('bad config exits non-zero naming the key path', () => {
    const file = path.join(tempDir(), 'tollgate.yaml');
    writeFileSync(file, 'server:\n  http_port: "eighty"\n');
    const res = runCli(['serve', '--config', file]);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/server\.http_port/);
  });

  test('bad bundle at start exits non-zero', () => {
    const bad = path.join(tempDir(), 'bad.tar.gz');
    writeFileSync(bad, 'not a bundle');
    const res = runCli(['serve'], { TOLLGATE_POLICY_BUNDLE: bad, TOLLGATE_HTTP_PORT: '0', TOLLGATE_ADMIN_PORT: '0', TOLLGATE_GRPC_PORT: '0' });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/gzip/);
  });

  describe('policy hot reload', () => {
    let tg: ServeProcess;
    let bundle: string;
    beforeAll(async () => {
      bundle = path.join(tempDir(), 'bundle.tar.gz');
      copyFileSync(defaultBundlePath(), bundle);
      tg = await spawnServe({ TOLLGATE_POLICY_BUNDLE: bundle, TOLLGATE_POLICY__POLL_INTERVAL_MS: '50' });
    });
    afterAll(async () => {
      tg.child.kill('SIGTERM');
      await tg.exited;
    });
    const revision = async () => ((await (await fetch(`http://127.0.0.1:${tg.ports.admin}/readyz`)).json()) as { policy_revision: string }).policy_revision;
    const decide = () => postJson(`http://127.0.0.1:${tg.ports.http}/v1/authorize`, { method: 'GET', path: '/v1/models', headers: {} });

    test('a new bundle replaces the old one without a restart', async () => {
      const open = buildBundle({ 'p.rego': 'package tollgate.authz\ndecision := {"allow": true, "reason": "open_house"}\n' }, ['tollgate/authz/decision'], 'rev-open');
      copyFileSync(open, `${bundle}.tmp`);
      renameSync(`${bundle}.tmp`, bundle);
      await waitFor(async () => (await revision()) === 'rev-open');
      expect((await decide()).json).toMatchObject({ allow: true, reason: 'open_house', policy_revision: 'rev-open' });
    });

    test('a broken bundle keeps the last good one serving', async () => {
      writeFileSync(bundle, 'garbage');
      await waitFor(() => tg.lines.some((l) => String(l.message).startsWith('policy reload failed')));
      expect(await revision()).toBe('rev-open');
      expect((await decide()).json).toMatchObject({ allow: true, reason: 'open_house' });
      const metrics = await (await fetch(`http://127.0.0.1:${tg.ports.admin}/metrics`)).text();
      expect(metrics).toMatch(/tollgate_policy_reloads_total\{result="failure"\} [1-9]/);
    });
  });
});
