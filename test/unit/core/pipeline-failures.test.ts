import { STANDARD_CREDENTIAL_HEADERS } from '../../../src/identity/credentials.js';
import { Pipeline } from '../../../src/core/pipeline.js';
import type { Authenticator, PolicyEngine, UsageReader } from '../../../src/core/pipeline-ports.js';
import { DEFAULT_ENDPOINTS } from '../../../src/core/endpoint-catalogue.js';
import { EndpointMatcher } from '../../../src/core/endpoints.js';
import { TollgateError } from '../../../src/core/errors.js';
import type { AuthzRequest, Principal } from '../../../src/core/types.js';

/** What each failure inside Pipeline.authorize is labelled: only the policy's own failures are policy errors. */
describe('pipeline failures carry the code of what failed', () => {
  const caller: Principal = { kind: 'api_key', id: 'api_key:a', subject: 'a', scopes: [], models: ['*'], groups: [] };
  const signedIn: Authenticator = { name: 'test', credentialHeaders: ['x-test'], authenticate: () => caller };
  const allowAll: PolicyEngine = { revision: 'r1', ready: true, evaluate: () => [{ result: { allow: true } }], evaluateEntrypoint: () => undefined, dataAt: () => undefined };
  const req: AuthzRequest = {
    gateway: 'native', method: 'GET', path: '/v1/models', query: '', host: '', scheme: 'http', headers: { 'x-test': '1' }, source: {},
  };
  const decide = (parts: { authenticator?: Authenticator; usage?: UsageReader; policy?: PolicyEngine }) => new Pipeline({ standardCredentialHeaders: STANDARD_CREDENTIAL_HEADERS,
    authenticators: [parts.authenticator ?? signedIn], policy: () => parts.policy ?? allowAll, usage: parts.usage, observers: [],
    reading: { endpoints: new EndpointMatcher(DEFAULT_ENDPOINTS), upstreamReadsFallbacks: true },
  }).authorize(req);
  const fails = (err: unknown) => () => {
    throw err;
  };

  test('the happy path allows (so each case below fails for its one broken part)', async () => {
    expect(await decide({})).toMatchObject({ allow: true, status: 200 });
  });

  test.each([
    ['an authenticator bug', { authenticator: { ...signedIn, authenticate: fails(new TypeError('x is undefined')) } }, 'ERR_INTERNAL', 500, 'internal_error'],
    ['a usage store bug', { usage: { usageFor: fails(new RangeError('bad window')) } }, 'ERR_INTERNAL', 500, 'internal_error'],
    ['a usage store that cannot reach Redis', { usage: { usageFor: fails(new TollgateError('ERR_DEPENDENCY_UNAVAILABLE', 'usage store unavailable')) } },
      'ERR_DEPENDENCY_UNAVAILABLE', 503, 'dependency_unavailable'],
    ['the policy evaluation (the SDK throws a string)', { policy: { ...allowAll, evaluate: fails('conflicting outputs') } }, 'ERR_POLICY_EVAL_FAILED', 500, 'policy_error'],
  ])('%s', async (_name, parts, errorCode, status, reason) => {
    expect(await decide(parts)).toMatchObject({ allow: false, errorCode, status, reason });
  });
});
