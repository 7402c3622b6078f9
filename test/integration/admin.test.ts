import { postJson, startTollgate, type RunningTollgate } from '../helpers/tollgate.js';

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
    expect(body).toMatchObject({ entrypoints: ['tollgate/authz/decision'], required_builtins: [] });
  });

  test('unknown paths on the authorization port are a JSON 404', async () => {
    const res = await fetch(`${tg.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
