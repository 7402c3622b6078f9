import path from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { spawnServe, type ServeProcess } from '../helpers/cli.js';
import { compileBundle, opaPath } from '../helpers/opa.js';
import { tempDir, writeKeys } from '../helpers/tollgate.js';

/**
 * The AuthZEN Authorization API 1.0 certification scenario (openid/authzen
 * certification/authorization-api-1_0-scenario.md), its whole test list by section id, against a real
 * `tollgate serve` loaded with policies/examples/authzen-certification.
 */
type Json = any;

const alice = { type: 'user', id: 'alice' };
const bob = { type: 'user', id: 'bob' };
const admin = { ...bob, properties: { role: 'admin' } };
const record1 = { type: 'record', id: 'record-1' };
const archived2 = { type: 'record', id: 'record-2', properties: { status: 'archived' } };
const read = { name: 'read' };
const write = { name: 'write' };
const context = { time: '2025-06-27T18:03-07:00', ip: '192.168.1.1' };

describe('AuthZEN 1.0 certification scenario against tollgate serve', () => {
  let serve: ServeProcess;
  let base: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    const dir = tempDir('tollgate-authzen-cert-');
    const bundle = compileBundle(opaPath(), path.join(packageRoot(), 'policies', 'examples', 'authzen-certification'), path.join(dir, 'cert.tar.gz'), {
      entrypoints: ['authzen/certification/decision', 'authzen/certification/request_decision'], revision: 'cert', ignore: ['*_test.rego', '*.yaml'],
    });
    const keysFile = path.join(dir, 'keys.yaml');
    const [pep] = writeKeys(keysFile, [{ subject: 'harness', scopes: ['authzen'] }]);
    auth = { authorization: `Bearer ${pep.secret}` };
    serve = await spawnServe({
      TOLLGATE_POLICY_BUNDLE: bundle,
      TOLLGATE_POLICY__ENTRYPOINT: 'authzen/certification/request_decision',
      TOLLGATE_KEYS_FILE: keysFile,
      TOLLGATE_ADAPTERS__AUTHZEN__ENABLED: 'true',
      TOLLGATE_ADAPTERS__AUTHZEN__ENTRYPOINT: 'authzen/certification/decision',
      TOLLGATE_ADAPTERS__AUTHZEN__TENANTS: '[tenant1]',
    });
    base = `http://127.0.0.1:${serve.ports.http}`;
  });
  afterAll(async () => {
    serve?.child.kill('SIGTERM');
    await serve?.exited;
  });

  async function send(api: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: Json }> {
    const res = await fetch(`${base}${api}`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...auth, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    expect(res.headers.get('content-type')).toBe('application/json');
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
  }
  const evaluation = (body: unknown, headers?: Record<string, string>) => send('/access/v1/evaluation', body, headers);
  const evaluations = (body: unknown) => send('/access/v1/evaluations', body);
  const search = (kind: string, body: unknown) => send(`/access/v1/search/${kind}`, body);
  const decisionOf = async (body: unknown) => {
    const res = await evaluation(body);
    expect(res.status).toBe(200);
    return res.json.decision;
  };
  const ids = (results: Json[]) => results.map((r) => r.id ?? r.name);

  describe('Basic Core and Basic Properties (c-2)', () => {
    test.each([
      ['c-2-2-1 fixture permit', { subject: alice, action: read, resource: record1 }, true],
      ['c-2-2-2 fixture deny', { subject: bob, action: write, resource: record1 }, false],
      ['c-2-2-3 optional context', { subject: alice, action: read, resource: record1, context }, true],
      ['c-2-2-4 deny on resource properties', { subject: alice, action: write, resource: archived2 }, false],
      ['c-2-2-5 permit on subject properties', { subject: admin, action: write, resource: archived2 }, true],
      ['c-2-2-6 permit on action properties', { subject: alice, action: { name: 'delete', properties: { soft: true } }, resource: record1 }, true],
      ['c-2-2-7 deny on action properties', { subject: alice, action: { name: 'delete', properties: { soft: false } }, resource: record1 }, false],
      ['c-2-2-8 additional properties', {
        subject: { ...alice, properties: { department: 'Sales', role: 'manager' } }, action: { name: 'read', properties: { method: 'GET' } },
        resource: { ...record1, properties: { status: 'active', owner: 'bob' } },
      }, true],
      ['c-2-2-9 unknown fields ignored', { subject: alice, action: read, resource: record1, foo: 'bar', futureField: { nested: true } }, true],
    ])('%s', async (_name, body, want) => {
      const res = await evaluation(body);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ decision: want });
    });

    test('c-2-3 the response is an object with a boolean decision and, if any, an object context', async () => {
      const res = await evaluation({ subject: alice, action: read, resource: record1 });
      expect(typeof res.json.decision).toBe('boolean');
      expect(res.json.context === undefined || typeof res.json.context === 'object').toBe(true);
    });

    test.each([
      ['c-2-4-1 missing subject', { action: read, resource: record1 }],
      ['c-2-4-1 missing action', { subject: alice, resource: record1 }],
      ['c-2-4-1 missing resource', { subject: alice, action: read }],
      ['c-2-4-2 subject missing type', { subject: { id: 'alice' }, action: read, resource: record1 }],
      ['c-2-4-2 subject missing id', { subject: { type: 'user' }, action: read, resource: record1 }],
      ['c-2-4-2 action missing name', { subject: alice, action: {}, resource: record1 }],
      ['c-2-4-2 resource missing type', { subject: alice, action: read, resource: { id: 'record-1' } }],
      ['c-2-4-2 resource missing id', { subject: alice, action: read, resource: { type: 'record' } }],
      ['c-2-4-6 subject is a string', { subject: 'alice', action: read, resource: record1 }],
      ['c-2-4-6 action.name is a number', { subject: alice, action: { name: 123 }, resource: record1 }],
    ])('%s is a 400', async (_name, body) => {
      const res = await evaluation(body);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('request_malformed');
    });

    test.each([
      ['c-2-4-3 invalid content type', { 'content-type': 'text/plain' }, JSON.stringify({ subject: alice, action: read, resource: record1 })],
      ['c-2-4-4 malformed JSON', {}, '{"subject": {'],
      ['c-2-4-5 empty body', {}, ''],
    ])('%s is a 400', async (_name, headers, body) => {
      const res = await evaluation(body, headers);
      expect(res.status).toBe(400);
    });

    test('c-2-5-1 X-Request-ID is echoed, on decisions and on errors', async () => {
      expect((await evaluation({ subject: alice, action: read, resource: record1 }, { 'x-request-id': 'bfe9eb29-ab87' })).headers.get('x-request-id')).toBe('bfe9eb29-ab87');
      expect((await evaluation({ subject: alice }, { 'x-request-id': 'err-1' })).headers.get('x-request-id')).toBe('err-1');
    });

    test('c-2-5-2 no X-Request-ID is no failure', async () => {
      expect(await decisionOf({ subject: alice, action: read, resource: record1 })).toBe(true);
    });

    test('c-2-6 the same request gets the same decision every time', async () => {
      const body = { subject: bob, action: write, resource: record1 };
      const decisions = [];
      for (let i = 0; i < 5; i++) decisions.push(await decisionOf(body));
      expect(decisions).toEqual([false, false, false, false, false]);
    });
  });

  describe('Batch Core and Batch Properties (c-3)', () => {
    test('c-3-2-1 evaluations array: two decisions', async () => {
      const res = await evaluations({ subject: alice, action: read, evaluations: [{ resource: record1 }, { resource: { type: 'record', id: 'record-2' } }] });
      expect(res.status).toBe(200);
      expect(res.json.evaluations).toHaveLength(2);
      for (const e of res.json.evaluations) expect(typeof e.decision).toBe('boolean');
    });

    test.each([
      ['c-3-2-2 fixture decisions, in order', { subject: bob, resource: record1, evaluations: [{ action: read }, { action: write }] }, [true, false]],
      ['c-3-2-3 resource properties per item', {
        subject: alice, action: write,
        evaluations: [{ resource: { ...record1, properties: { status: 'active' } } }, { resource: archived2 }],
      }, [true, false]],
      ['c-3-2-4 subject properties per item', { action: write, resource: archived2, evaluations: [{ subject: alice }, { subject: admin }] }, [false, true]],
      ['c-3-2-5 fully specified items', {
        evaluations: [{ subject: alice, action: read, resource: record1 }, { subject: bob, action: write, resource: record1 }],
      }, [true, false]],
      ['c-3-2-7 top-level defaults, whole-entity override', {
        subject: alice, action: write, resource: { ...record1, properties: { status: 'active' } },
        evaluations: [{}, { resource: archived2 }],
      }, [true, false]],
    ])('%s', async (_name, body, want) => {
      const res = await evaluations(body);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ evaluations: want.map((decision) => ({ decision })) });
    });

    test('c-3-2-6 context inheritance and per-item override are accepted', async () => {
      const res = await evaluations({
        subject: alice, action: read, context: { time: '2025-06-27T18:03-07:00' },
        evaluations: [{ resource: record1 }, { resource: { type: 'record', id: 'record-2' }, context: { time: '2025-06-27T19:00-07:00', source: 'batch-override' } }],
      });
      expect(res.status).toBe(200);
      expect(res.json.evaluations.map((e: Json) => typeof e.decision)).toEqual(['boolean', 'boolean']);
    });

    test('c-3-3 same length and order, a decision in each, no top-level decision', async () => {
      const items = [read, write, read, { name: 'delete' }, write].map((action) => ({ action }));
      const res = await evaluations({ subject: bob, resource: record1, evaluations: items });
      expect(res.json.decision).toBeUndefined();
      expect(res.json.evaluations.map((e: Json) => e.decision)).toEqual([true, false, true, false, false]);
    });

    test('c-3-4-1 execute_all: an item missing a field is decision false with a context, the others still decided', async () => {
      const res = await evaluations({ subject: alice, action: read, options: { evaluations_semantic: 'execute_all' }, evaluations: [{ resource: record1 }, {}] });
      expect(res.status).toBe(200);
      expect(res.json.evaluations).toHaveLength(2);
      expect(res.json.evaluations[0]).toEqual({ decision: true });
      expect(res.json.evaluations[1].decision).toBe(false);
      expect(res.json.evaluations[1].context.error).toEqual({ status: 400, code: 'request_malformed', message: '"resource" is required' });
    });

    test.each([
      ['c-3-4-2 no evaluations array', { subject: alice, action: read, resource: record1 }],
      ['c-3-4-3 empty evaluations array', { subject: alice, action: read, resource: record1, evaluations: [] }],
    ])('%s answers as a single evaluation', async (_name, body) => {
      const res = await evaluations(body);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ decision: true });
    });
  });

  describe('Search Core and Search Properties (c-4)', () => {
    test.each([
      ['c-4-2-1 subject search', 'subject', { subject: { type: 'user' }, action: read, resource: record1 }, ['alice', 'bob']],
      ['c-4-2-2 subject search with context', 'subject', { subject: { type: 'user' }, action: read, resource: record1, context }, ['alice', 'bob']],
      ['c-4-2-3 subject search ignores subject.id', 'subject', { subject: alice, action: read, resource: record1 }, ['alice', 'bob']],
      ['c-4-2-4 subject search on resource properties (S4)', 'subject', { subject: { type: 'user' }, action: write, resource: archived2 }, ['bob']],
      ['c-4-3-1 resource search', 'resource', { subject: alice, action: read, resource: { type: 'record' } }, ['record-1', 'record-2']],
      ['c-4-3-2 resource search with context', 'resource', { subject: alice, action: read, resource: { type: 'record' }, context }, ['record-1', 'record-2']],
      ['c-4-3-3 resource search ignores resource.id', 'resource', { subject: alice, action: read, resource: record1 }, ['record-1', 'record-2']],
      ['c-4-3-4 resource search on subject properties (S5)', 'resource', { subject: admin, action: write, resource: { type: 'record' } }, ['record-2']],
      ['c-4-4-1 action search', 'action', { subject: alice, resource: record1 }, ['read', 'write']],
      ['c-4-4-2 action search with context', 'action', { subject: alice, resource: record1, context }, ['read', 'write']],
      ['c-4-4-3 action search with properties (S6)', 'action', { subject: admin, resource: archived2 }, ['read', 'write']],
    ])('%s', async (_name, kind, body, want) => {
      const res = await search(kind, body);
      expect(res.status).toBe(200);
      expect(ids(res.json.results)).toEqual(want);
      const searched = kind === 'subject' ? 'user' : 'record';
      for (const r of res.json.results) expect(kind === 'action' ? typeof r.name : r.type).toBe(kind === 'action' ? 'string' : searched);
      expect(res.json.page).toEqual({ next_token: '', count: want.length });
    });

    test('c-4-5-1 and c-4-5-2 page.limit, then page.token until next_token is ""', async () => {
      const body = { subject: { type: 'user' }, action: read, resource: record1 };
      const first = await search('subject', { ...body, page: { limit: 1 } });
      expect(first.status).toBe(200);
      expect(first.json.results).toEqual([alice]);
      expect(first.json.page.next_token).toMatch(/^[A-Za-z0-9_-]+$/);
      const second = await search('subject', { ...body, page: { limit: 1, token: first.json.page.next_token } });
      expect(second.json).toEqual({ page: { next_token: '', count: 1 }, results: [bob] });
    });

    test('c-4-5 a token bound to another request is a 400', async () => {
      const first = await search('subject', { subject: { type: 'user' }, action: read, resource: record1, page: { limit: 1 } });
      const other = await search('subject', { subject: { type: 'user' }, action: write, resource: record1, page: { limit: 1, token: first.json.page.next_token } });
      expect(other.status).toBe(400);
      expect(other.json.error.code).toBe('page_token_invalid');
    });

    test.each([
      ['c-4-6-1 unknown subject id (action search)', 'action', { subject: { type: 'user', id: 'nonexistent-user' }, resource: record1 }],
      ['c-4-6-1 unknown resource id (subject search)', 'subject', { subject: { type: 'user' }, action: read, resource: { type: 'record', id: 'nope' } }],
      ['c-4-6-1 unknown subject id (resource search)', 'resource', { subject: { type: 'user', id: 'nobody' }, action: read, resource: { type: 'record' } }],
      ['c-4-6-2 unknown subject type', 'subject', { subject: { type: 'spaceship' }, action: read, resource: record1 }],
      ['c-4-6-2 unknown resource type', 'resource', { subject: alice, action: read, resource: { type: 'spaceship' } }],
      ['c-4-6-2 unknown types (action search)', 'action', { subject: { type: 'spaceship', id: 'x' }, resource: { type: 'planet', id: 'y' } }],
    ])('%s: empty results, not an error', async (_name, kind, body) => {
      const res = await search(kind, body);
      expect(res.status).toBe(200);
      expect(res.json.results).toEqual([]);
    });

    test.each([
      ['c-4-7-1 subject search missing action', 'subject', { subject: { type: 'user' }, resource: record1 }],
      ['c-4-7-1 resource search missing subject', 'resource', { action: read, resource: { type: 'record' } }],
      ['c-4-7-1 action search missing resource', 'action', { subject: alice }],
      ['c-4-7-2 subject search, input resource missing id', 'subject', { subject: { type: 'user' }, action: read, resource: { type: 'record' } }],
      ['c-4-7-2 resource search, input subject missing id', 'resource', { subject: { type: 'user' }, action: read, resource: { type: 'record' } }],
      ['c-4-7-2 action search, input subject missing id', 'action', { subject: { type: 'user' }, resource: record1 }],
    ])('%s is a 400', async (_name, kind, body) => {
      expect((await search(kind, body)).status).toBe(400);
    });
  });

  describe('Discovery (c-6)', () => {
    test('c-6 the metadata names the PDP it was fetched from and every endpoint', async () => {
      const res = await fetch(`${base}/.well-known/authzen-configuration`, { headers: { 'x-request-id': 'm1' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('x-request-id')).toBe('m1');
      expect(await res.json()).toEqual({
        policy_decision_point: base,
        access_evaluation_endpoint: `${base}/access/v1/evaluation`,
        access_evaluations_endpoint: `${base}/access/v1/evaluations`,
        search_subject_endpoint: `${base}/access/v1/search/subject`,
        search_resource_endpoint: `${base}/access/v1/search/resource`,
        search_action_endpoint: `${base}/access/v1/search/action`,
      });
    });

    test('c-6-1 a tenant\'s metadata, and its endpoints answer', async () => {
      const res = await fetch(`${base}/.well-known/authzen-configuration/tenant1`);
      const metadata = await res.json();
      expect(metadata.policy_decision_point).toBe(`${base}/tenant1`);
      expect(metadata.access_evaluation_endpoint).toBe(`${base}/tenant1/access/v1/evaluation`);
      const answer = await send('/tenant1/access/v1/evaluation', { subject: alice, action: read, resource: record1 });
      expect(answer.status).toBe(200);
      expect(typeof answer.json.decision).toBe('boolean');
    });
  });
});
