import { TestIdp } from '../helpers/idp.js';
import { postJson, startTollgate, tempDir, writeFile, type RunningTollgate } from '../helpers/tollgate.js';

/**
 * Per-issuer rules through the real server: required claim values (an issuer shared by many
 * parties, like GitHub Actions, narrowed to one org), the lifetime bound and future iat; and the key
 * id a JWT caller gets.
 */
describe('JWT issuer rules', () => {
  let ci: TestIdp;
  let staff: TestIdp;
  let tg: RunningTollgate;
  const nowS = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    [ci, staff] = await Promise.all([TestIdp.start(), TestIdp.start()]);
    const config = writeFile(tempDir(), 'tollgate.yaml', `
identity:
  jwt:
    cache:
      enabled: false
    issuers:
      - issuer: ${ci.issuer}
        audiences: [tollgate]
        token_header: x-ci-token
        max_token_lifetime_s: 3600
        required_claim_values:
          repository_owner: [my-org]
          repository: [my-org/deploy, my-org/evals]
          runner.labels: [trusted]
        claims:
          subject: repository
          groups: null
      - issuer: ${staff.issuer}
        audiences: [tollgate]
        max_token_lifetime_s: null
`);
    tg = await startTollgate({}, config);
  });
  afterAll(async () => {
    await tg.stop();
    await Promise.all([ci.close(), staff.close()]);
  });

  const authorize = async (headers: Record<string, string>) => (await postJson(`${tg.url}/v1/authorize`, {
    method: 'POST', path: '/v1/chat/completions', headers, body: { model: 'gpt-4o', messages: [] },
  })).json;
  const ours = { repository_owner: 'my-org', repository: 'my-org/deploy', runner: { labels: ['linux', 'trusted'] }, scope: 'model:gpt-4o' };
  const ciToken = (claims: Record<string, unknown>, at = nowS) => ci.token({ ...ours, ...claims }, { nowS: at });

  test.each<[string, Record<string, unknown>, string]>([
    ['every required value present', {}, 'allowed'],
    ['the other accepted repository', { repository: 'my-org/evals' }, 'allowed'],
    ['a list claim holding an accepted value', { repository_owner: ['other', 'my-org'] }, 'allowed'],
    ['another org (any GitHub user can mint these)', { repository_owner: 'attacker' }, 'jwt_claim_invalid'],
    ['owner claim missing', { repository_owner: undefined }, 'jwt_claim_invalid'],
    ['value of another type', { repository_owner: 1 }, 'jwt_claim_invalid'],
    ['an object, not a string', { repository_owner: { name: 'my-org' } }, 'jwt_claim_invalid'],
    ['case differs (exact match only)', { repository_owner: 'My-Org' }, 'jwt_claim_invalid'],
    ['a prefix of an accepted value', { repository: 'my-org/deploy-evil' }, 'jwt_claim_invalid'],
    ['nested list without the value', { runner: { labels: ['linux'] } }, 'jwt_claim_invalid'],
    ['empty list', { runner: { labels: [] } }, 'jwt_claim_invalid'],
    ['lifetime at the bound', { exp: nowS + 3600 }, 'allowed'],
    ['lifetime over the bound', { exp: nowS + 3601 }, 'jwt_claim_invalid'],
    ['no iat, exp over the bound from now', { iat: undefined, exp: nowS + 7200 }, 'jwt_claim_invalid'],
    ['no iat, exp within the bound', { iat: undefined, exp: nowS + 600 }, 'allowed'],
    ['iat within the clock tolerance', { iat: nowS + 20, exp: nowS + 600 }, 'allowed'],
    ['iat a year ahead', { iat: nowS + 365 * 86400, exp: nowS + 365 * 86400 + 60 }, 'jwt_not_yet_valid'],
    ['iat not a number', { iat: 'yesterday' }, 'jwt_claim_invalid'],
  ])('%s: %s', async (_name, claims, reason) => {
    expect((await authorize({ 'x-ci-token': await ciToken(claims) })).reason).toBe(reason);
  });

  test('max_token_lifetime_s: null lifts the bound; a future iat is still refused', async () => {
    const long = await staff.token({ scope: 'model:gpt-4o', exp: nowS + 30 * 86400 }, { nowS });
    expect((await authorize({ authorization: `Bearer ${long}` })).reason).toBe('allowed');
    const ahead = await staff.token({ scope: 'model:gpt-4o', iat: nowS + 3600 }, { nowS });
    expect((await authorize({ authorization: `Bearer ${ahead}` })).reason).toBe('jwt_not_yet_valid');
  });

  test('the default bound is 24 hours', async () => {
    const idp = await TestIdp.start();
    const config = writeFile(tempDir(), 'tollgate.yaml', `identity: {jwt: {issuers: [{issuer: "${idp.issuer}", audiences: [tollgate]}]}}\n`);
    const other = await startTollgate({}, config);
    try {
      const answer = async (exp: number) => (await postJson(`${other.url}/v1/authorize`, {
        method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${await idp.token({ scope: 'model:gpt-4o', exp }, { nowS })}` }, body: { model: 'gpt-4o' },
      })).json.reason;
      expect([await answer(nowS + 86400), await answer(nowS + 86401)]).toEqual(['allowed', 'jwt_claim_invalid']);
    } finally {
      await other.stop();
      await idp.close();
    }
  });

  test('key id: one per (issuer, subject), the same across tokens, never the signing kid or jti', async () => {
    const keyId = async (idp: TestIdp, claims: Record<string, unknown>) => {
      const token = await idp.token({ scope: 'model:gpt-4o', ...claims }, { nowS });
      return (await authorize({ authorization: `Bearer ${token}` })).identity.key_id as string;
    };
    const alice1 = await keyId(staff, { sub: 'alice', jti: 'token-1' });
    const alice2 = await keyId(staff, { sub: 'alice', jti: 'token-2' });
    const bob = await keyId(staff, { sub: 'bob', jti: 'token-3' });
    const aliceNoJti = await keyId(staff, { sub: 'alice' });
    expect(alice1).toMatch(/^jwt_[0-9a-f]{16}$/);
    expect([alice2, aliceNoJti]).toEqual([alice1, alice1]);
    expect(bob).not.toBe(alice1);
    expect([alice1, bob]).not.toContain(staff.key('RS256').kid);
    const ciAlice = (await authorize({ 'x-ci-token': await ciToken({}) })).identity.key_id;
    expect(ciAlice).not.toBe(alice1);
    // An RFC 8693 token for alice, acted on by agent-7: the caller is the agent, with the agent's key id.
    const agent = await keyId(staff, { sub: 'agent-7' });
    expect(await keyId(staff, { sub: 'alice', act: { sub: 'agent-7' } })).toBe(agent);
  });
});
