import { TestIdp } from '../helpers/idp.js';
import { postJson, startTollgate, tempDir, writeFile, type RunningTollgate } from '../helpers/tollgate.js';

/** The verified-token cache: a hit skips verification, but never outlives the TTL or the token's exp. */
describe('verified-token cache', () => {
  let idp: TestIdp;
  let tg: RunningTollgate;
  let clock = Date.now();
  const nowS = () => Math.floor(clock / 1000);

  beforeAll(async () => {
    idp = await TestIdp.start(['RS256']);
    const config = writeFile(tempDir(), 'tollgate.yaml', `
identity:
  jwt:
    cache:
      enabled: true
      ttl_ms: 30000
    issuers:
      - issuer: ${idp.issuer}
        jwks_uri: ${idp.jwksUri}
        audiences: [tollgate]
        clock_tolerance_s: 0
`);
    tg = await startTollgate({}, config, () => clock);
  });
  afterAll(async () => {
    await tg.stop();
    await idp.close();
  });

  const reason = async (token: string) => (await postJson(`${tg.url}/v1/authorize`, {
    method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${token}` }, body: { model: 'gpt-4o', messages: [] },
  })).json.reason;

  test('a cached token passes without its key until the TTL ends; an uncached one does not', async () => {
    const oldKey = idp.key('RS256');
    const cached = await idp.token({ scope: 'model:gpt-4o' }, { nowS: nowS() });
    expect(await reason(cached)).toBe('allowed');
    await idp.rotate('RS256');
    await tg.app.identity.refreshKeys();
    expect(await reason(cached)).toBe('allowed');
    expect(await reason(await idp.token({ scope: 'model:gpt-4o', jti: 'fresh' }, { key: oldKey, nowS: nowS() }))).toBe('jwt_key_not_found');
    clock += 30_001;
    expect(await reason(cached)).toBe('jwt_key_not_found');
  });

  test('expiry is checked on every hit', async () => {
    const shortLived = await idp.token({ scope: 'model:gpt-4o', exp: nowS() + 5 }, { nowS: nowS() });
    expect(await reason(shortLived)).toBe('allowed');
    clock += 6_000;
    expect(await reason(shortLived)).toBe('jwt_expired');
  });
});
