import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ENTRYPOINT, hostileBundles } from '../helpers/hostile-bundles.js';
import { postJson, startTollgate, tempDir, type RunningTollgate } from '../helpers/tollgate.js';
import { waitFor } from '../helpers/wait.js';

/** A running Tollgate whose bundle file is replaced by hostile ones: each is refused, the process keeps deciding with the old revision. */
describe('hot reload of hostile bundles', () => {
  const { good, hostile } = hostileBundles();
  const file = path.join(tempDir('tollgate-reload-'), 'bundle.tar.gz');
  let tg: RunningTollgate;
  const reloadFailures = () => tg.logs.filter((l) => l.message === 'policy reload failed; keeping the last good policy');

  beforeAll(async () => {
    writeFileSync(file, good('good-1'));
    tg = await startTollgate({ TOLLGATE_POLICY_BUNDLE: file, TOLLGATE_POLICY__ENTRYPOINT: ENTRYPOINT, TOLLGATE_POLICY__POLL_INTERVAL_MS: '20' });
  });
  afterAll(() => tg.stop());

  test.each(hostile)('$name: refused through the file watcher, the old revision still decides', async ({ bytes, error }) => {
    const failures = reloadFailures().length;
    writeFileSync(file, bytes());
    await waitFor(() => reloadFailures().length > failures);
    expect(reloadFailures().at(-1)?.error).toMatch(error);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const res = await postJson(`${tg.url}/v1/authorize`, { method: 'GET', path: '/v1/models', headers: {} });
    expect(res.status).toBe(200);
    expect(tg.decisions().at(-1)).toMatchObject({ decision_id: res.json.decision_id, policy_revision: 'good-1' });
  });

  test('an admin reload of a refused bundle is a 500 reload_failed naming the error; the old revision still serves', async () => {
    const [{ bytes, error }] = hostile;
    writeFileSync(file, bytes());
    const res = await fetch(`${tg.adminUrl}/v1/admin/policy/reload`, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ status: 'failed', reason: 'reload_failed', revision: 'good-1', error: expect.stringMatching(error) });
    expect(tg.app.policies.current()?.revision).toBe('good-1');
  });

  test('a good bundle afterwards is served', async () => {
    writeFileSync(file, good('good-2'));
    await waitFor(() => tg.app.policies.current()?.revision === 'good-2');
    const res = await postJson(`${tg.url}/v1/authorize`, { method: 'GET', path: '/v1/models', headers: {} });
    expect(tg.decisions().at(-1)).toMatchObject({ decision_id: res.json.decision_id, policy_revision: 'good-2' });
  });
});
