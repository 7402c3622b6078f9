import { TestIdp } from '../helpers/idp.js';
import { postJson, startTollgate, tempDir, writeFile, type RunningTollgate } from '../helpers/tollgate.js';

/** The IdP's JWKS endpoint goes down under load: cached keys keep verifying until the staleness bound. */
describe('JWKS outage', () => {
  let idp: TestIdp;
  let tg: RunningTollgate;
  let clock = Date.now();
  const nowS = () => Math.floor(clock / 1000);
  const maxStalenessMs = 600_000;

  beforeAll(async () => {
    idp = await TestIdp.start(['ES256']);
    const config = writeFile(tempDir(), 'tollgate.yaml', `
identity:
  jwt:
    cache:
      enabled: false
    jwks:
      max_staleness_ms: ${maxStalenessMs}
      refetch_cooldown_ms: 10000
    issuers:
      - issuer: ${idp.issuer}
        jwks_uri: ${idp.jwksUri}
        audiences: [tollgate]
`);
    tg = await startTollgate({}, config, () => clock);
  });
  afterAll(async () => {
    await tg.stop();
    await idp.close();
  });

  const authorize = (token: string) => postJson(`${tg.url}/v1/authorize`, {
    method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${token}` }, body: { model: 'gpt-4o', messages: [] },
  });

  /** `total` requests, `concurrency` at a time; returns [HTTP status, decision status, reason] of each. */
  async function burst(total: number, concurrency: number): Promise<Array<[number, number, string]>> {
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => idp.token({ sub: `caller-${i}`, scope: 'model:gpt-4o' }, { alg: 'ES256', nowS: nowS() })));
    const results: Array<[number, number, string]> = [];
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const res = await authorize(tokens[next++ % tokens.length]);
        results.push([res.status, res.json.status, res.json.reason]);
      }
    }));
    return results;
  }

  test('200 requests during the outage: no 5xx, all verified on the last good keys; past the bound: jwks_unavailable', async () => {
    const fetchesAtStart = idp.jwksFetches();
    idp.failing = true;
    await tg.app.identity.refreshKeys();
    clock += maxStalenessMs / 2;

    const during = await burst(200, 10);
    expect(during).toHaveLength(200);
    expect(during.filter(([http, status, reason]) => http !== 200 || status !== 200 || reason !== 'allowed')).toEqual([]);

    const failures = tg.logs.filter((l) => l.message === 'JWKS fetch failed; keeping the last good keys within the staleness bound');
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures[0]).toMatchObject({ level: 'warn', issuer: idp.issuer });
    const metrics = await (await fetch(`${tg.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`tollgate_jwks_fetches_total\\{issuer="${idp.issuer.replace(/[.]/g, '\\.')}",result="failure"\\} [1-9]`));

    clock += maxStalenessMs / 2 + 1000;
    const past = await burst(40, 5);
    expect(new Set(past.map(([http, status, reason]) => `${http} ${status} ${reason}`))).toEqual(new Set(['200 503 jwks_unavailable']));
    // Requests past the bound try the endpoint at most once per cooldown, not once each.
    expect(idp.jwksFetches() - fetchesAtStart).toBeLessThanOrEqual(3);

    idp.failing = false;
    clock += 10_001;
    const recovered = await burst(20, 5);
    expect(recovered.every(([, status]) => status === 200)).toBe(true);
  });
});
