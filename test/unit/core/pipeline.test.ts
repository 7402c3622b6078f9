import { STANDARD_CREDENTIAL_HEADERS } from '../../../src/identity/credentials.js';
import { Pipeline } from '../../../src/core/pipeline.js';
import type { Authenticator, DecisionObserver, PipelineDeps, PolicyEngine } from '../../../src/core/pipeline-ports.js';
import { DEFAULT_ENDPOINTS } from '../../../src/core/endpoint-catalogue.js';
import { EndpointMatcher } from '../../../src/core/endpoints.js';
import { TollgateError } from '../../../src/core/errors.js';
import type { AuthzRequest, Decision, Principal } from '../../../src/core/types.js';
import { principal } from '../../helpers/fixtures.js';

/** Pipeline.authorize with fake ports: who authenticates, what policy sees, what observers hear. */

const alice = principal({ id: 'api_key:alice', subject: 'alice' });
const bob = principal({ id: 'api_key:bob', subject: 'bob' });

function authenticator(name: string, header: string, answer: Principal | null | Error): Authenticator & { calls: number } {
  const fake = {
    name, credentialHeaders: [header], calls: 0,
    authenticate: () => {
      fake.calls++;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return fake;
}

function policy(result: Record<string, unknown>): PolicyEngine & { inputs: Array<Record<string, unknown>> } {
  const inputs: Array<Record<string, unknown>> = [];
  return { revision: 'rev-7', ready: true, inputs, evaluate: (input) => (inputs.push(input), [{ result }]), evaluateEntrypoint: () => undefined, dataAt: () => undefined };
}

function request(headers: Record<string, string> = {}): AuthzRequest {
  return { gateway: 'native', method: 'POST', path: '/v1/chat/completions', query: '', host: 'llm', scheme: 'http', headers, source: {}, body: { model: 'gpt-4o-mini' } };
}

function recorder(): DecisionObserver & { seen: Decision[] } {
  const seen: Decision[] = [];
  return { seen, onDecision: (_req, decision) => void seen.push(decision) };
}

function pipeline(deps: Partial<PipelineDeps>): Pipeline {
  return new Pipeline({ standardCredentialHeaders: STANDARD_CREDENTIAL_HEADERS,
    authenticators: [], policy: () => policy({ allow: true }), observers: [],
    reading: { endpoints: new EndpointMatcher(DEFAULT_ENDPOINTS), upstreamReadsFallbacks: true }, ...deps,
  });
}

describe('Pipeline.authorize', () => {
  test.each<{ name: string; deps: () => Partial<PipelineDeps>; headers?: Record<string, string>; want: Partial<Decision> & { subject?: string } }>([
    { name: 'the first authenticator that finds a credential decides',
      deps: () => ({ authenticators: [authenticator('a', 'x-a', alice), authenticator('b', 'x-b', bob)] }),
      headers: { 'x-a': '1', 'x-b': '1' }, want: { allow: true, status: 200, subject: 'alice' } },
    { name: 'an authenticator that finds nothing passes to the next',
      deps: () => ({ authenticators: [authenticator('a', 'x-a', null), authenticator('b', 'x-b', bob)] }),
      headers: { 'x-b': '1' }, want: { allow: true, subject: 'bob' } },
    { name: 'a credential no authenticator recognises is 401 with a Bearer challenge',
      deps: () => ({ authenticators: [authenticator('a', 'x-a', null)] }),
      headers: { authorization: 'Bearer nobody-knows-me' },
      want: { allow: false, status: 401, reason: 'credential_invalid', errorCode: 'ERR_CREDENTIAL_INVALID', denial: expect.objectContaining({ challenge: { error: 'invalid_token' } }) } },
    { name: 'an invalid credential stops the chain with its own error',
      deps: () => ({ authenticators: [authenticator('a', 'x-a', new TollgateError('ERR_CREDENTIAL_EXPIRED', 'expired')), authenticator('b', 'x-b', bob)] }),
      headers: { 'x-a': '1', 'x-b': '1' }, want: { allow: false, status: 401, errorCode: 'ERR_CREDENTIAL_EXPIRED' } },
    { name: 'no credential at all is anonymous and left to policy',
      deps: () => ({ policy: () => policy({ allow: false, status: 401, reason: 'unauthenticated' }) }),
      want: { allow: false, status: 401, reason: 'unauthenticated', denial: expect.objectContaining({ challenge: {} }) } },
    { name: 'no policy loaded is 503',
      deps: () => ({ policy: () => undefined }), want: { allow: false, status: 503, reason: 'policy_not_ready', errorCode: 'ERR_POLICY_NOT_READY', policyRevision: '' } },
    { name: 'a policy that is not ready yet is 503',
      deps: () => ({ policy: () => ({ ...policy({ allow: true }), ready: false }) }), want: { allow: false, status: 503, errorCode: 'ERR_POLICY_NOT_READY' } },
    { name: 'a policy deny is a structured denial with the policy revision',
      deps: () => ({ policy: () => policy({ allow: false, status: 403, reason: 'model_not_allowed' }) }),
      want: { allow: false, status: 403, policyRevision: 'rev-7', denial: { code: 'model_not_allowed', message: 'denied by policy: model_not_allowed' } } },
    { name: 'a usage store bug is an internal error, not a policy error',
      deps: () => ({ authenticators: [authenticator('a', 'x-a', alice)], usage: { usageFor: () => { throw new TypeError('bad window'); } } }),
      headers: { 'x-a': '1' }, want: { allow: false, status: 500, errorCode: 'ERR_INTERNAL' } },
    { name: 'a usage store that cannot reach Redis is 503 dependency_unavailable',
      deps: () => ({ authenticators: [authenticator('a', 'x-a', alice)], usage: { usageFor: () => Promise.reject(new TollgateError('ERR_DEPENDENCY_UNAVAILABLE', 'redis down')) } }),
      headers: { 'x-a': '1' }, want: { allow: false, status: 503, reason: 'dependency_unavailable', errorCode: 'ERR_DEPENDENCY_UNAVAILABLE' } },
    { name: 'a closed gate vetoes before anything else runs',
      deps: () => ({ authenticators: [authenticator('a', 'x-a', alice)], gate: () => new TollgateError('ERR_AUDIT_UNAVAILABLE', 'audit down') }),
      headers: { 'x-a': '1' }, want: { allow: false, errorCode: 'ERR_AUDIT_UNAVAILABLE', principal: undefined } },
  ])('$name', async ({ deps, headers, want }) => {
    const { subject, ...decision } = want;
    const got = await pipeline(deps()).authorize(request(headers));
    expect(got).toMatchObject(decision);
    if (subject !== undefined) expect(got.principal?.subject).toBe(subject);
  });

  test('the authenticator after the one that decided is never asked', async () => {
    const second = authenticator('b', 'x-b', bob);
    await pipeline({ authenticators: [authenticator('a', 'x-a', alice), second] }).authorize(request({ 'x-a': '1', 'x-b': '1' }));
    expect(second.calls).toBe(0);
  });

  test('policy reads usage, never the credential, and the allow carries identity headers over policy ones', async () => {
    const engine = policy({ allow: true, headers: { 'x-tollgate-subject': 'forged', 'x-team': 'blue' } });
    const got = await pipeline({
      authenticators: [authenticator('a', 'x-a', alice)], policy: () => engine, usage: { usageFor: () => ({ minute: { tokens: 5 } }) },
    }).authorize(request({ 'x-a': 'secret', 'x-trace': 't' }));
    expect(engine.inputs[0]).toMatchObject({ usage: { minute: { tokens: 5 } }, request: { headers: { 'x-trace': 't' } } });
    expect(engine.inputs[0].request).not.toHaveProperty('headers.x-a');
    expect(got.headers).toMatchObject({ 'x-team': 'blue', 'x-tollgate-subject': 'alice', 'x-tollgate-decision-id': got.decisionId });
  });
});

describe('observers hear of every decision exactly once', () => {
  test.each<{ name: string; run: (p: Pipeline) => Promise<unknown> | unknown }>([
    { name: 'an allow', run: (p) => p.authorize(request()) },
    { name: 'a failure', run: (p) => p.authorize(request({ authorization: 'Bearer unknown' })) },
    { name: 'a request the adapter could not decode', run: (p) => p.reject(request(), new TollgateError('ERR_REQUEST_MALFORMED', 'bad json')) },
    { name: 'a Data API evaluation', run: (p) => p.evaluateDocument(request(), () => ({ entrypoint: 'tollgate/authz/decision', input: {} })) },
  ])('$name', async ({ run }) => {
    const [first, second] = [recorder(), recorder()];
    await run(pipeline({ observers: [first, second] }));
    expect(first.seen).toHaveLength(1);
    expect(second.seen).toEqual(first.seen);
  });

  // Known defect, reported to the owner of src/core/pipeline.ts: record() lets an observer's exception
  // escape, so authorize() throws and the observers after it never hear of the decision.
  test('one observer throwing neither fails the decision nor silences the others', async () => {
    const after = recorder();
    const broken: DecisionObserver = { onDecision: () => { throw new Error('disk full'); } };
    const got = await pipeline({ observers: [broken, after] }).authorize(request());
    expect(got.allow).toBe(true);
    expect(after.seen).toHaveLength(1);
  });
});

describe('a decision whose every step is synchronous is answered synchronously', () => {
  const asynchronous = (inner: Authenticator): Authenticator => ({ ...inner, authenticate: async (req) => inner.authenticate(req) });

  test('API keys and in-memory stores: a Decision, not a promise, and the same answer as the async path', async () => {
    const sync = pipeline({ authenticators: [authenticator('a', 'x-a', alice)], usage: { usageFor: () => ({}) } }).authorize(request({ 'x-a': '1' }));
    expect(sync).not.toBeInstanceOf(Promise);
    const viaPromise = pipeline({ authenticators: [asynchronous(authenticator('a', 'x-a', alice))] }).authorize(request({ 'x-a': '1' }));
    expect(viaPromise).toBeInstanceOf(Promise);
    const [now, later] = [sync as Decision, await viaPromise];
    expect({ ...now, decisionId: '', durationMs: 0, headers: {} }).toEqual({ ...later, decisionId: '', durationMs: 0, headers: {} });
  });

  test('a failure in a synchronous step is a deny answered at once; in an asynchronous one, a deny once it settles', async () => {
    const broken = new Error('key store corrupt');
    const sync = pipeline({ authenticators: [authenticator('a', 'x-a', broken)] }).authorize(request({ 'x-a': '1' }));
    expect(sync).toMatchObject({ allow: false, status: 500, errorCode: 'ERR_INTERNAL' });
    const later = await pipeline({ authenticators: [asynchronous(authenticator('a', 'x-a', broken))] }).authorize(request({ 'x-a': '1' }));
    expect(later).toMatchObject({ allow: false, status: 500, errorCode: 'ERR_INTERNAL' });
  });

  test('an asynchronous authenticator that finds nothing passes to the next, as a synchronous one does', async () => {
    const got = await pipeline({ authenticators: [asynchronous(authenticator('a', 'x-a', null)), authenticator('b', 'x-b', bob)] }).authorize(request({ 'x-b': '1' }));
    expect(got).toMatchObject({ allow: true, principal: { subject: 'bob' } });
  });
});
