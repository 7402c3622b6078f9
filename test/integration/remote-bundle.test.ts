import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BundleServer } from '../helpers/bundle-server.js';
import { buildSignedBundle, writeKeyPair } from '../helpers/signed-bundles.js';
import { postJson, startTollgate, tempDir, type RunningTollgate } from '../helpers/tollgate.js';
import { waitFor } from '../helpers/wait.js';

const ENTRY = 't/decision';
const keys = writeKeyPair('ES256');
const stranger = writeKeyPair('ES256');
const signed = (revision: string, opts: { key?: string; entry?: string } = {}): Buffer => readFileSync(buildSignedBundle(
  { 'p.rego': `package t\n\ndecision := {"allow": true}\nother := true\n` }, [opts.entry ?? ENTRY], { key: opts.key ?? keys.privateKey, alg: 'ES256', revision },
));

/** Tollgate polling a real bundle server: every failure keeps the last good bundle serving, and is counted by kind. */
describe('remote bundles', () => {
  const server = new BundleServer();
  const persistDir = tempDir('tollgate-persist-');
  const r1 = signed('r1');
  const r2 = signed('r2');
  let url: string;
  let tg: RunningTollgate;
  const env = () => ({
    TOLLGATE_POLICY__REMOTE__URL: url,
    TOLLGATE_POLICY__REMOTE__POLLING__MIN_DELAY_SECONDS: '0.03',
    TOLLGATE_POLICY__REMOTE__POLLING__MAX_DELAY_SECONDS: '0.06',
    TOLLGATE_POLICY__REMOTE__TIMEOUT_SECONDS: '0.5',
    TOLLGATE_POLICY__REMOTE__PERSIST_DIR: persistDir,
    TOLLGATE_POLICY__REMOTE__HEADERS__AUTHORIZATION: 'Bearer bundle-reader',
    TOLLGATE_POLICY__SIGNING__PUBLIC_KEY: keys.publicKey,
    TOLLGATE_POLICY__ENTRYPOINT: ENTRY,
  });
  const metrics = async (t: RunningTollgate = tg) => (await fetch(`${t.adminUrl}/metrics`)).text();
  const failures = async (kind: string) => Number(new RegExp(`tollgate_bundle_failures_total\\{kind="${kind}"\\} (\\d+)`).exec(await metrics())?.[1] ?? 0);
  const decide = async (t: RunningTollgate = tg) => {
    const res = await postJson(`${t.url}/v1/authorize`, { method: 'GET', path: '/v1/models', headers: {} });
    return { status: res.status, allow: res.json.allow as boolean, revision: t.decisions().find((d) => d.decision_id === res.json.decision_id)?.policy_revision };
  };

  beforeAll(async () => {
    url = await server.listen();
    server.publish(r1);
    tg = await startTollgate(env());
  });
  afterAll(async () => {
    await tg.stop();
    await server.close();
  });

  test('serves the downloaded bundle, is ready, and reports it in /metrics', async () => {
    expect(await decide()).toEqual({ status: 200, allow: true, revision: 'r1' });
    expect(await (await fetch(`${tg.adminUrl}/readyz`)).json()).toMatchObject({ status: 'ready', policy_revision: 'r1' });
    const text = await metrics();
    expect(text).toMatch(/tollgate_bundle_active_info\{revision="r1"\} 1/);
    expect(text).toMatch(/tollgate_bundle_last_download_timestamp_seconds \d{10}/);
    expect(text).toMatch(/tollgate_bundle_last_activation_timestamp_seconds \d{10}/);
    expect(server.requests[0]).toMatchObject({ authorization: 'Bearer bundle-reader', ifNoneMatch: undefined });
  });

  test('polls with If-None-Match; a 304 changes nothing', async () => {
    const seen = server.requests.length;
    await waitFor(() => server.requests.length > seen + 3);
    expect(server.requests.slice(seen).every((r) => r.status === 304 && r.ifNoneMatch)).toBe(true);
    expect(tg.logs.filter((l) => l.message === 'policy loaded')).toHaveLength(1);
  });

  test.each([
    { name: 'a 503', kind: 'http_status', act: (s: BundleServer) => s.set({ kind: 'status', status: 503 }) },
    { name: 'a 404', kind: 'http_status', act: (s: BundleServer) => s.set({ kind: 'status', status: 404 }) },
    { name: 'a download cut off mid-bundle', kind: 'download', act: (s: BundleServer) => { s.publish(r2); s.set({ kind: 'truncate' }); } },
    { name: 'an answer slower than timeout_seconds', kind: 'download', act: (s: BundleServer) => { s.publish(r2); s.set({ kind: 'slow', ms: 2000 }); } },
    { name: 'a truncated tarball served whole', kind: 'invalid', act: (s: BundleServer) => s.publish(r2.subarray(0, r2.length >> 1)) },
    { name: 'bytes that are not a bundle', kind: 'invalid', act: (s: BundleServer) => s.publish(Buffer.from('<html>maintenance</html>')) },
    { name: 'a bundle without the entrypoint', kind: 'entrypoint', act: (s: BundleServer) => s.publish(signed('no-entry', { entry: 't/other' })) },
    { name: 'a bundle signed by another key', kind: 'signature', act: (s: BundleServer) => s.publish(signed('forged', { key: stranger.privateKey })) },
  ])('$name: counted as $kind, the last good bundle keeps serving', async ({ kind, act }) => {
    const before = await failures(kind);
    act(server);
    await waitFor(async () => (await failures(kind)) > before);
    expect(await decide()).toEqual({ status: 200, allow: true, revision: 'r1' });
    expect(await (await fetch(`${tg.adminUrl}/readyz`)).json()).toMatchObject({ status: 'ready', policy_revision: 'r1' });
    expect(tg.logs.filter((l) => l.message === 'policy reload failed; keeping the last good policy').at(-1)).toMatchObject({ kind });
    server.publish(r1);
  });

  test('a new good bundle is activated, persisted, and Tollgate starts from it while the server is down', async () => {
    server.publish(r2);
    await waitFor(async () => (await decide()).revision === 'r2');
    expect(await metrics()).toMatch(/tollgate_bundle_active_info\{revision="r2"\} 1/);
    expect(await metrics()).not.toMatch(/revision="r1"/);
    await waitFor(() => readFileSync(path.join(persistDir, 'bundle.tar.gz')).equals(r2));

    server.set({ kind: 'status', status: 502 });
    const second = await startTollgate(env());
    try {
      expect(await decide(second)).toEqual({ status: 200, allow: true, revision: 'r2' });
      expect((await fetch(`${second.adminUrl}/readyz`)).status).toBe(200);
    } finally {
      await second.stop();
      server.publish(r2);
    }
  });

  test('with the server down and nothing persisted, Tollgate is not ready and denies, until a bundle arrives', async () => {
    const down = new BundleServer();
    const downUrl = await down.listen();
    down.set({ kind: 'status', status: 500 });
    const fresh = await startTollgate({ ...env(), TOLLGATE_POLICY__REMOTE__URL: downUrl, TOLLGATE_POLICY__REMOTE__PERSIST_DIR: tempDir('tollgate-empty-') });
    try {
      expect((await fetch(`${fresh.adminUrl}/readyz`)).status).toBe(503);
      expect(await decide(fresh)).toMatchObject({ status: 200, allow: false });
      down.publish(r1);
      await waitFor(async () => (await fetch(`${fresh.adminUrl}/readyz`)).status === 200);
      expect(await decide(fresh)).toEqual({ status: 200, allow: true, revision: 'r1' });
    } finally {
      await fresh.stop();
      await down.close();
    }
  });

  test('hot swaps under load: every decision in flight is answered, none fails', async () => {
    let running = true;
    const outcomes: Array<{ status: number; allow: boolean }> = [];
    const worker = async () => {
      while (running) outcomes.push(await decide());
    };
    const workers = Array.from({ length: 8 }, worker);
    for (const next of [r1, r2, r1, r2]) {
      server.publish(next);
      const revision = next === r1 ? 'r1' : 'r2';
      await waitFor(() => tg.app.policies.current()?.revision === revision);
    }
    running = false;
    await Promise.all(workers);
    expect(outcomes.length).toBeGreaterThan(50);
    expect(outcomes.filter((o) => o.status !== 200 || !o.allow)).toEqual([]);
  });
});
