import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { TestIdp } from '../helpers/idp.js';
import { buildBundle } from '../helpers/opa.js';
import { postJson, startTollgate, tempDir, writeFile, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

/**
 * The AuthZEN adapter's contract beyond the certification scenario (test/integration/authzen-certification.test.ts):
 * who may ask, what is recorded and counted, the default AuthZEN policy on Tollgate's grants, batch
 * semantics, search over policy data, and failures. Real OPA-built bundles, a real server.
 */
const policySource = (name: string) => readFileSync(path.join(packageRoot(), 'policies', name), 'utf8');
const DEFAULT_ENTRYPOINTS = ['tollgate/authz/decision', 'tollgate/authzen/decision'];
const data = {
  tollgate: {
    subjects: { 'jwt:https://idp.example#alice': { models: ['gpt-4o*'], tools: ['search_*'] } },
    groups: { ops: { models: ['claude-*'], tools: ['deploy'] } },
    authzen: { resources: ['gpt-4o', 'gpt-4o-mini', 'o1', 'claude-3'].map((id) => ({ type: 'model', id })) },
  },
};
const alice = { type: 'identity', id: 'jwt:https://idp.example#alice' };
const invoke = (model: string) => ({ action: { name: 'invoke' }, resource: { type: 'model', id: model } });

describe('AuthZEN adapter with the default AuthZEN policy', () => {
  let tg: RunningTollgate;
  let pep: TestKey, unscoped: TestKey, agent: TestKey, revoked: TestKey;
  beforeAll(async () => {
    const keys = path.join(tempDir(), 'keys.yaml');
    [pep, unscoped, agent, revoked] = writeKeys(keys, [
      { subject: 'gateway', scopes: ['authzen'] },
      { subject: 'other' },
      { subject: 'billing-agent', models: ['gpt-4o*'] },
      { subject: 'old-agent', models: ['*'], disabled: true },
    ]);
    const bundle = buildBundle({ 'authz.rego': policySource('authz.rego'), 'authzen.rego': policySource('authzen.rego'), 'data.json': JSON.stringify(data) }, DEFAULT_ENTRYPOINTS);
    tg = await startTollgate({
      TOLLGATE_KEYS_FILE: keys, TOLLGATE_POLICY_BUNDLE: bundle, TOLLGATE_ADAPTERS__AUTHZEN__ENABLED: 'true', TOLLGATE_ADAPTERS__AUTHZEN__MAX_EVALUATIONS: '5',
      TOLLGATE_ADAPTERS__AUTHZEN__BASE_URL: 'https://pdp.example.com/', TOLLGATE_ADAPTERS__AUTHZEN__CAPABILITIES: '[urn:example:capability]',
    });
  });
  afterAll(() => tg.stop());
  const ask = (api: string, body: unknown, key: TestKey | null = pep) => postJson(`${tg.url}/access/v1/${api}`, body, key ? { authorization: `Bearer ${key.secret}` } : {});
  const decide = async (body: unknown) => (await ask('evaluation', body)).json.decision;

  test('a caller without a credential gets a 401 with a Bearer challenge, and the refusal is recorded', async () => {
    const res = await ask('evaluation', { subject: alice, ...invoke('gpt-4o') }, null);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tollgate", error="invalid_token"');
    expect(res.json.error.code).toBe('caller_unauthenticated');
    expect(tg.decisions().at(-1)).toMatchObject({ gateway: 'authzen', result: 'deny', status: 401, reason: 'caller_unauthenticated', decision_id: res.json.error.decision_id });
  });

  test('a caller whose credential lacks the authzen scope gets a 403; a bad credential a 401', async () => {
    const res = await ask('evaluation', { subject: alice, ...invoke('gpt-4o') }, unscoped);
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('caller_scope_missing');
    const bad = await postJson(`${tg.url}/access/v1/evaluations`, {}, { authorization: `Bearer ${pep.secret.slice(0, -4)}AAAA` });
    expect([bad.status, bad.json.error.code]).toEqual([401, 'credential_invalid']);
  });

  test('an API key subject, by key id, is decided on that key\'s own model grants while the key is valid', async () => {
    expect(await decide({ subject: { type: 'api_key', id: agent.id }, ...invoke('gpt-4o-mini') })).toBe(true);
    expect(await decide({ subject: { type: 'api_key', id: agent.id }, ...invoke('o1') })).toBe(false);
    const res = await ask('evaluation', { subject: { type: 'api_key', id: revoked.id }, ...invoke('gpt-4o') });
    expect(res.json).toEqual({ decision: false, context: { reason: 'subject_unknown' } });
  });

  test('an identity subject gets its data grants, and the groups and scopes its PEP vouches for (COAZ-MCP tools/call)', async () => {
    const toolCall = (tool: string) => ({ action: { name: 'tools/call' }, resource: { type: 'tool', id: tool } });
    expect(await decide({ subject: alice, ...toolCall('search_web') })).toBe(true);
    expect(await decide({ subject: alice, ...toolCall('deploy') })).toBe(false);
    const opsUser = { type: 'identity', id: 'jwt:https://idp.example#bob', properties: { groups: ['ops'], scopes: ['model:o1'] } };
    expect(await decide({ subject: opsUser, ...toolCall('deploy') })).toBe(true);
    expect(await decide({ subject: opsUser, ...invoke('o1') })).toBe(true);
    expect(await decide({ subject: opsUser, ...invoke('gpt-4o') })).toBe(false);
  });

  test('one authentication per batch, one decision record per question with the caller and what was asked, counted under authzen', async () => {
    const before = tg.decisions().length;
    const res = await ask('evaluations', { subject: alice, action: { name: 'invoke' }, evaluations: ['gpt-4o', 'o1', 'gpt-4o-mini'].map((id) => ({ resource: { type: 'model', id } })) });
    expect(res.json.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, false, true]);
    const records = tg.decisions().slice(before);
    expect(records).toHaveLength(3);
    expect(records[1]).toMatchObject({
      gateway: 'authzen', result: 'deny', status: 200, reason: 'denied', identity_id: 'api_key:gateway', key_id: pep.id, path: '/access/v1/evaluations',
      access: { subject_type: 'identity', subject_id: alice.id, action: 'invoke', resource_type: 'model', resource_id: 'o1', tenant: null },
    });
    expect(new Set(records.map((r) => r.decision_id)).size).toBe(3);
    const metrics = await (await fetch(`${tg.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/tollgate_decisions_total\{gateway="authzen",result="allow",reason="allowed"\} [1-9]/);
    expect(metrics).toMatch(/tollgate_decision_duration_seconds_count\{gateway="authzen"\} [1-9]/);
  });

  test.each([
    ['execute_all', [true, false, true, false]],
    ['deny_on_first_deny', [true, false]],
    ['permit_on_first_permit', [true]],
  ])('options.evaluations_semantic %s', async (semantic, want) => {
    const evaluations = ['gpt-4o', 'o1', 'gpt-4o-mini', 'claude-3'].map((id) => ({ resource: { type: 'model', id } }));
    const res = await ask('evaluations', { subject: alice, action: { name: 'invoke' }, options: { evaluations_semantic: semantic }, evaluations });
    expect(res.json.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual(want);
  });

  test('deny_on_first_deny stops at an item that fails (a failure is a deny)', async () => {
    const res = await ask('evaluations', { subject: alice, action: { name: 'invoke' }, options: { evaluations_semantic: 'deny_on_first_deny' }, evaluations: [{ resource: { type: 'model' } }, { resource: { type: 'model', id: 'gpt-4o' } }] });
    expect(res.json.evaluations).toEqual([{ decision: false, context: { error: { status: 400, code: 'request_malformed', message: '"resource.id" must be a string' } } }]);
  });

  test.each([
    ['an unknown semantic', { subject: alice, ...invoke('o1'), evaluations: [{}], options: { evaluations_semantic: 'some' } }, 400, 'request_malformed'],
    ['a mistyped default', { subject: 'alice', ...invoke('o1'), evaluations: [{}] }, 400, 'request_malformed'],
    ['evaluations that is no array', { subject: alice, ...invoke('o1'), evaluations: {} }, 400, 'request_malformed'],
    ['more than max_evaluations', { subject: alice, ...invoke('o1'), evaluations: Array.from({ length: 6 }, () => ({})) }, 413, 'request_too_large'],
  ])('%s is a whole-request error', async (_name, body, status, code) => {
    const res = await ask('evaluations', body);
    expect([res.status, res.json.error.code]).toEqual([status, code]);
    expect(tg.decisions().at(-1)).toMatchObject({ gateway: 'authzen', reason: code, decision_id: res.json.error.decision_id });
  });

  test('resource search returns the permitted candidates from data.tollgate.authzen.resources, a page at a time', async () => {
    const body = { subject: alice, action: { name: 'invoke' }, resource: { type: 'model' } };
    expect((await ask('search/resource', body)).json).toEqual({ page: { next_token: '', count: 2 }, results: [{ type: 'model', id: 'gpt-4o' }, { type: 'model', id: 'gpt-4o-mini' }] });
    const first = await ask('search/resource', { ...body, page: { limit: 1 } });
    expect(first.json.results).toEqual([{ type: 'model', id: 'gpt-4o' }]);
    const stolen = await ask('search/resource', { ...body, page: { limit: 1, token: first.json.page.next_token } }, agent);
    expect(stolen.status).toBe(403); // another caller: refused before the token is even read
    const second = await ask('search/resource', { ...body, page: { limit: 1, token: first.json.page.next_token } });
    expect(second.json).toEqual({ page: { next_token: '', count: 1 }, results: [{ type: 'model', id: 'gpt-4o-mini' }] });
    expect((await ask('search/subject', { subject: { type: 'identity' }, ...invoke('o1') })).json.results).toEqual([]);
  });

  test('metadata: the configured base URL and capabilities', async () => {
    const res = await fetch(`${tg.url}/.well-known/authzen-configuration`);
    expect(await res.json()).toMatchObject({
      policy_decision_point: 'https://pdp.example.com',
      access_evaluations_endpoint: 'https://pdp.example.com/access/v1/evaluations',
      capabilities: ['urn:example:capability'],
    });
  });
});

describe('AuthZEN with JWT callers and tenants (embedded bundle)', () => {
  let idp: TestIdp;
  let tg: RunningTollgate;
  beforeAll(async () => {
    idp = await TestIdp.start(['RS256']);
    const config = writeFile(tempDir(), 'tollgate.yaml', `
identity:
  jwt:
    issuers:
      - issuer: ${idp.issuer}
        audiences: [tollgate]
        claims: { tenant: tid }
adapters:
  authzen: { enabled: true, tenants: [acme] }
`);
    tg = await startTollgate({}, config);
  });
  afterAll(async () => {
    await tg.stop();
    await idp.close();
  });
  const question = { subject: { type: 'identity', id: 'jwt:https://idp.example#carol', properties: { scopes: ['model:gpt-4o'] } }, ...invoke('gpt-4o') };
  const ask = async (api: string, claims: Record<string, unknown>) => postJson(`${tg.url}${api}`, question, { authorization: `Bearer ${await idp.token(claims)}` });

  test('a JWT caller needs the scope in scope or scp', async () => {
    expect((await ask('/access/v1/evaluation', { scope: 'openid authzen' })).json).toEqual({ decision: true });
    expect((await ask('/access/v1/evaluation', { scp: ['authzen'] })).json).toEqual({ decision: true });
    expect((await ask('/access/v1/evaluation', { scope: 'openid' })).status).toBe(403);
  });

  test('a tenant\'s endpoints answer that tenant\'s callers; the default policy denies the others', async () => {
    expect((await ask('/acme/access/v1/evaluation', { scope: 'authzen', tid: 'acme' })).json).toEqual({ decision: true });
    expect((await ask('/acme/access/v1/evaluation', { scope: 'authzen', tid: 'globex' })).json).toEqual({ decision: false, context: { reason: 'tenant_mismatch' } });
    expect(tg.decisions().at(-1)).toMatchObject({ gateway: 'authzen', credential: 'jwt', access: { tenant: 'acme' } });
  });
});

describe('AuthZEN adapter failures', () => {
  test('with require_caller off, anyone may ask; a result that is no decision is a deny saying why', async () => {
    const rego = `package tollgate.authzen
decision := "yes" if input.subject.id == "weird"
decision := {"decision": true, "context": {"caller": input.caller.authenticated}} if input.subject.id == "anyone"
`;
    const bundle = buildBundle({ 'authz.rego': policySource('authz.rego'), 'authzen.rego': rego }, DEFAULT_ENTRYPOINTS);
    const tg = await startTollgate({ TOLLGATE_POLICY_BUNDLE: bundle, TOLLGATE_ADAPTERS__AUTHZEN__ENABLED: 'true', TOLLGATE_ADAPTERS__AUTHZEN__REQUIRE_CALLER: 'false' });
    try {
      const question = (id: string) => ({ subject: { type: 'user', id }, action: { name: 'read' }, resource: { type: 'doc', id: '1' } });
      const ask = (id: string) => postJson(`${tg.url}/access/v1/evaluation`, question(id));
      expect((await ask('anyone')).json).toEqual({ decision: true, context: { caller: false } });
      expect((await ask('weird')).json).toEqual({ decision: false, context: { error: { status: 500, code: 'policy_result_invalid', message: expect.any(String) } } });
      expect((await ask('nobody')).json.context.error.code).toBe('policy_undefined');
      expect(tg.decisions().at(-1)).toMatchObject({ gateway: 'authzen', result: 'deny', status: 500, reason: 'policy_undefined', error_code: 'ERR_POLICY_RESULT_UNDEFINED' });
    } finally {
      await tg.stop();
    }
  });

  test('a bundle without the AuthZEN entrypoint is refused at load while AuthZEN is on', async () => {
    const bundle = buildBundle({ 'authz.rego': policySource('authz.rego') }, ['tollgate/authz/decision']);
    await expect(startTollgate({ TOLLGATE_POLICY_BUNDLE: bundle, TOLLGATE_ADAPTERS__AUTHZEN__ENABLED: 'true' })).rejects.toMatchObject({ code: 'ERR_POLICY_ENTRYPOINT_MISSING' });
  });
});
