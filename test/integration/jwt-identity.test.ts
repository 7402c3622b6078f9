import { createPublicKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { b64, TestIdp, unsignedToken } from '../helpers/idp.js';
import { postJson, startTollgate, tempDir, writeFile, type RunningTollgate } from '../helpers/tollgate.js';

/** JWT issuers through the real server: discovery, three key types, rotation, and a table of attack tokens. */
describe('JWT identity', () => {
  let idp: TestIdp;
  let workloadIdp: TestIdp;
  let stranger: TestIdp;
  let tg: RunningTollgate;
  let clock = Date.now();
  const nowS = () => Math.floor(clock / 1000);
  const secret = 'an-hmac-secret-that-is-long-enough-for-hs256!';
  const hsIssuer = 'https://hs.example.test';

  beforeAll(async () => {
    [idp, workloadIdp, stranger] = await Promise.all([TestIdp.start(), TestIdp.start(['ES256', 'RS256']), TestIdp.start(['RS256'])]);
    const dir = tempDir();
    const secretFile = writeFile(dir, 'hs.secret', `${secret}\n`);
    const config = writeFile(dir, 'tollgate.yaml', `
identity:
  jwt:
    cache:
      enabled: false
    jwks:
      refetch_cooldown_ms: 30000
    issuers:
      - issuer: ${idp.issuer}
        audiences: [tollgate, other-service]
        claims:
          tenant: tid
          models: allowed_models
      - issuer: ${workloadIdp.issuer}
        jwks_uri: ${workloadIdp.jwksUri}
        audiences: [tollgate]
        algorithms: [ES256]
        token_header: X-Workload-Token
      - issuer: ${hsIssuer}
        shared_secret_file: ${secretFile}
        audiences: [tollgate]
        algorithms: [HS256]
`);
    tg = await startTollgate({}, config, () => clock);
  });
  afterAll(async () => {
    await tg.stop();
    await Promise.all([idp.close(), workloadIdp.close(), stranger.close()]);
  });

  const chat = (headers: Record<string, string>, model = 'gpt-4o-mini') => ({
    method: 'POST', path: '/v1/chat/completions', headers, body: { model, messages: [{ role: 'user', content: 'hi' }] },
  });
  const authorize = (headers: Record<string, string>, model?: string) => postJson(`${tg.url}/v1/authorize`, chat(headers, model));
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  test('keys were fetched before ready, the first issuer through OIDC discovery', () => {
    expect(idp.requests.slice(0, 2)).toEqual(['/.well-known/openid-configuration', '/keys']);
    expect(workloadIdp.requests[0]).toBe('/keys');
  });

  test.each(['RS256', 'ES256', 'EdDSA'] as const)('%s token with a model scope is allowed', async (alg) => {
    const token = await idp.token({ scope: 'openid model:gpt-4o*', tid: 'acme' }, { alg, nowS: nowS() });
    const res = await authorize(bearer(token));
    expect(res.json).toMatchObject({ allow: true, reason: 'allowed', identity: { subject: 'alice', credential: 'jwt', issuer: idp.issuer, tenant: 'acme' } });
    expect(res.json.identity.scopes).toEqual(['openid', 'model:gpt-4o*']);
  });

  test('claim mappings: scp list and an allowed-models claim grant models', async () => {
    const viaScp = await idp.token({ scp: ['model:o3'] }, { nowS: nowS() });
    expect((await authorize(bearer(viaScp), 'o3')).json.allow).toBe(true);
    const viaClaim = await idp.token({ allowed_models: ['claude-*'] }, { nowS: nowS() });
    expect((await authorize(bearer(viaClaim), 'claude-3-5-sonnet')).json).toMatchObject({ allow: true, identity: { models: ['claude-*'] } });
    expect((await authorize(bearer(viaClaim), 'gpt-4o')).json).toMatchObject({ allow: false, status: 403, reason: 'model_not_allowed' });
  });

  test('an issuer reading a named header, and an HS256 issuer with a shared secret', async () => {
    const workload = await workloadIdp.token({ sub: 'ci-runner', scope: 'model:gpt-4o*' }, { alg: 'ES256', nowS: nowS() });
    expect((await authorize({ 'x-workload-token': workload })).json).toMatchObject({ allow: true, identity: { subject: 'ci-runner' } });
    const hs = await new SignJWT({ iss: hsIssuer, sub: 'batch', aud: 'tollgate', exp: nowS() + 60, scope: 'model:gpt-4o*' })
      .setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
    expect((await authorize(bearer(hs))).json).toMatchObject({ allow: true, identity: { subject: 'batch' } });
  });

  test('attack and edge tokens: each a 401 with its own reason, never a 5xx', async () => {
    const now = nowS();
    const valid = await idp.token({ scope: 'model:gpt-4o*' }, { nowS: now });
    const [h, p] = valid.split('.');
    const rsaPem = createPublicKey({ key: idp.key('RS256').publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    const cases: Array<[string, Record<string, string>, string]> = [
      ['unknown issuer', bearer(await stranger.token({}, { nowS: now })), 'jwt_issuer_unknown'],
      ['no iss claim', bearer(await idp.token({ iss: undefined }, { nowS: now })), 'jwt_issuer_unknown'],
      ['tampered payload (bad signature)', bearer(`${h}.${b64({ iss: idp.issuer, sub: 'root', aud: 'tollgate', exp: now + 60 })}.${valid.split('.')[2]}`), 'jwt_signature_invalid'],
      ['signed by a key the issuer never published', bearer(await idp.token({}, { nowS: now, key: stranger.key('RS256'), header: { kid: idp.key('RS256').kid } })), 'jwt_signature_invalid'],
      ['wrong audience', bearer(await idp.token({ aud: 'someone-else' }, { nowS: now })), 'jwt_audience_invalid'],
      ['expired beyond tolerance', bearer(await idp.token({ exp: now - 120 }, { nowS: now - 700 })), 'jwt_expired'],
      ['not yet valid', bearer(await idp.token({ nbf: now + 3600 }, { nowS: now })), 'jwt_not_yet_valid'],
      ['no exp claim', bearer(await idp.token({ exp: undefined }, { nowS: now })), 'jwt_claim_invalid'],
      ['alg none', bearer(unsignedToken({ iss: idp.issuer, sub: 'root', aud: 'tollgate', exp: now + 60 })), 'jwt_alg_none'],
      ['alg NONE, any case', bearer(`${b64({ alg: 'NoNe' })}.${p}.`), 'jwt_alg_none'],
      ['HS256 signed with the issuer RSA public key (RS/HS confusion)', bearer(await hsWithKey(idp.issuer, rsaPem, now)), 'jwt_alg_confusion'],
      ['RS256 token for the HS256 issuer', bearer(await idp.token({ iss: hsIssuer }, { nowS: now })), 'jwt_alg_confusion'],
      ['alg outside the issuer allowlist', { 'x-workload-token': await workloadIdp.token({}, { alg: 'RS256', nowS: now }) }, 'jwt_alg_not_allowed'],
      ['unknown crit header', bearer(idp.rawToken({ alg: 'RS256', kid: idp.key('RS256').kid, crit: ['urn:example:ext'], 'urn:example:ext': 1 }, { iss: idp.issuer, sub: 'alice', aud: 'tollgate', exp: now + 60 })), 'jwt_crit_unsupported'],
      ['oversized token', bearer(await idp.token({ pad: 'x'.repeat(20_000) }, { nowS: now })), 'credential_too_large'],
      ['malformed: not base64 JSON', bearer('eyJub3QganNvbg.eyJ4IjoxfQ.c2ln'), 'jwt_malformed'],
      ['malformed: named header holding junk', { 'x-workload-token': 'not-a-jwt' }, 'jwt_malformed'],
      ['issuer token in another issuer header', { 'x-workload-token': valid }, 'jwt_issuer_unknown'],
      ['unknown kid', bearer(await idp.token({}, { nowS: now, header: { kid: 'never-published' } })), 'jwt_key_not_found'],
    ];
    for (const [name, headers, reason] of cases) {
      const res = await authorize(headers);
      expect({ name, status: res.status, decision: res.json.status, reason: res.json.reason }).toEqual({ name, status: 200, decision: 401, reason });
      expect(res.json.response_headers['www-authenticate']).toMatch(/invalid_token/);
      for (const value of Object.values(headers)) expect(JSON.stringify(res.json)).not.toContain(value.replace('Bearer ', ''));
    }
    for (const [, headers] of cases) for (const value of Object.values(headers)) expect(tg.rawLogs()).not.toContain(value.replace('Bearer ', '').slice(0, 200));
  });

  test('rotation: a token signed by a new key is accepted after one refetch; unknown kids are rate limited', async () => {
    clock += 31_000;
    const fetchesBefore = idp.jwksFetches();
    const rotated = await idp.rotate('RS256');
    const res = await authorize(bearer(await idp.token({ scope: 'model:gpt-4o*' }, { key: rotated, nowS: nowS() })));
    expect(res.json).toMatchObject({ allow: true });
    expect(idp.jwksFetches()).toBe(fetchesBefore + 1);
    for (let i = 0; i < 5; i++) {
      const forged = await idp.token({}, { nowS: nowS(), header: { kid: `forged-${i}` } });
      expect((await authorize(bearer(forged))).json.reason).toBe('jwt_key_not_found');
    }
    expect(idp.jwksFetches()).toBe(fetchesBefore + 1);
  });
});

async function hsWithKey(issuer: string, secret: string, nowS: number): Promise<string> {
  return new SignJWT({ iss: issuer, sub: 'root', aud: 'tollgate', exp: nowS + 60 }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

describe('JWT issuer from the environment alone', () => {
  test('TOLLGATE_JWT_ISSUER + TOLLGATE_JWT_AUDIENCE: keys found through discovery, tokens verified', async () => {
    const idp = await TestIdp.start(['ES256']);
    const tg = await startTollgate({ TOLLGATE_JWT_ISSUER: idp.issuer, TOLLGATE_JWT_AUDIENCE: 'gw,tollgate' });
    try {
      const token = await idp.token({ sub: 'env-user', scope: 'model:gpt-4o' }, { alg: 'ES256' });
      const res = await postJson(`${tg.url}/v1/authorize`, {
        method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${token}` }, body: { model: 'gpt-4o', messages: [] },
      });
      expect(res.json).toMatchObject({ allow: true, identity: { subject: 'env-user', issuer: idp.issuer } });
      expect(idp.requests).toEqual(['/.well-known/openid-configuration', '/keys']);
    } finally {
      await tg.stop();
      await idp.close();
    }
  });
});
