import path from 'node:path';
import { TestIdp } from '../helpers/idp.js';
import { postJson, startTollgate, tempDir, writeFile, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

/** Agents acting for users: both identities verified, both must be allowed, both in the audit record. */
describe('delegation (agents acting on behalf of users)', () => {
  let idp: TestIdp;
  let tg: RunningTollgate;
  let agentKey: TestKey;

  beforeAll(async () => {
    idp = await TestIdp.start(['ES256']);
    const dir = tempDir();
    const keysFile = path.join(dir, 'keys.yaml');
    [agentKey] = writeKeys(keysFile, [{ subject: 'support-agent', models: ['gpt-4o*', 'o3'] }]);
    const config = writeFile(dir, 'tollgate.yaml', `
keys:
  file: ${keysFile}
identity:
  order: [api_key, jwt]
  jwt:
    issuers:
      - issuer: ${idp.issuer}
        audiences: [tollgate]
`);
    tg = await startTollgate({}, config);
  });
  afterAll(async () => {
    await tg.stop();
    await idp.close();
  });

  const authorize = (headers: Record<string, string>, model = 'gpt-4o-mini') => postJson(`${tg.url}/v1/authorize`, {
    method: 'POST', path: '/v1/chat/completions', headers, body: { model, messages: [] },
  });
  const record = (decisionId: string) => tg.decisions().find((d) => d.decision_id === decisionId);
  const userToken = (claims: Record<string, unknown> = {}) => idp.token({ sub: 'alice', scope: 'model:gpt-4o*', ...claims }, { alg: 'ES256' });

  test('API key agent + user token in x-tollgate-on-behalf-of: allowed, audit carries both', async () => {
    const res = await authorize({ 'x-api-key': agentKey.secret, 'x-tollgate-on-behalf-of': await userToken() });
    expect(res.json).toMatchObject({ allow: true, identity: { subject: 'support-agent', credential: 'api_key', on_behalf_of: 'alice' } });
    expect(res.json.headers).toMatchObject({ 'x-tollgate-subject': 'support-agent', 'x-tollgate-on-behalf-of': 'alice' });
    expect(record(res.json.decision_id)).toMatchObject({ subject: 'support-agent', credential: 'api_key', on_behalf_of: 'alice', delegation_chain: ['support-agent'] });
  });

  test('the user must be allowed the model too', async () => {
    const res = await authorize({ 'x-api-key': agentKey.secret, 'x-tollgate-on-behalf-of': await userToken() }, 'o3');
    expect(res.json).toMatchObject({ allow: false, status: 403, reason: 'model_not_allowed' });
    expect(record(res.json.decision_id)).toMatchObject({ subject: 'support-agent', on_behalf_of: 'alice' });
  });

  test.each([
    ['expired', () => userToken({ exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['wrong audience', () => userToken({ aud: 'elsewhere' })],
    ['not a JWT', () => Promise.resolve('alice')],
    ['itself delegated', () => userToken({ act: { sub: 'someone' } })],
  ])('an invalid on-behalf-of token (%s) is a 401 delegation_invalid', async (_name, token) => {
    const res = await authorize({ 'x-api-key': agentKey.secret, 'x-tollgate-on-behalf-of': await token() });
    expect(res.json).toMatchObject({ allow: false, status: 401, reason: 'delegation_invalid' });
  });

  test('one token with a nested RFC 8693 act claim: the current actor calls, the subject is the user, the chain is recorded', async () => {
    const token = await userToken({ act: { sub: 'summariser-agent', act: { sub: 'orchestrator' } } });
    const res = await authorize({ authorization: `Bearer ${token}` });
    expect(res.json).toMatchObject({ allow: true, identity: { subject: 'summariser-agent', credential: 'jwt', on_behalf_of: 'alice' } });
    expect(record(res.json.decision_id)).toMatchObject({
      subject: 'summariser-agent', credential: 'jwt', issuer: idp.issuer, on_behalf_of: 'alice', delegation_chain: ['summariser-agent', 'orchestrator'],
    });
  });

  test('an act token plus an on-behalf-of header, or an act without sub, is refused', async () => {
    const act = await userToken({ act: { sub: 'agent' } });
    expect((await authorize({ authorization: `Bearer ${act}`, 'x-tollgate-on-behalf-of': await userToken() })).json.reason).toBe('delegation_invalid');
    const noSub = await userToken({ act: { client_id: 'agent' } });
    expect((await authorize({ authorization: `Bearer ${noSub}` })).json).toMatchObject({ status: 401, reason: 'delegation_invalid' });
  });

  test('no token ever reaches the logs', async () => {
    const token = await userToken();
    await authorize({ 'x-api-key': agentKey.secret, 'x-tollgate-on-behalf-of': token });
    expect(tg.rawLogs()).not.toContain(token.split('.')[1]);
    expect(tg.rawLogs()).not.toContain(agentKey.secret);
  });
});
