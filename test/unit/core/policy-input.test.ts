import { buildPolicyInput, POLICY_INPUT_VERSION, type PolicyInputContext } from '../../../src/core/policy-input.js';
import { unknownEndpointFacts } from '../../../src/core/llm.js';
import type { AuthzRequest } from '../../../src/core/types.js';
import { principal } from '../../helpers/fixtures.js';

const req: AuthzRequest = {
  gateway: 'envoy_http', method: 'POST', path: '/v1//chat/completions', query: 'a=1&a=2&b=', host: 'llm', scheme: 'https',
  headers: { authorization: 'Bearer secret', 'x-api-key': 'tg_x', 'x-tollgate-subject': 'forged', 'content-type': 'application/json' },
  source: { address: '10.0.0.7' }, bodyTruncated: true, context: { route: 'chat' },
};
const llm = { ...unknownEndpointFacts('/v1/chat/completions'), endpointKnown: true, api: 'openai', operation: 'chat.completions', modelCall: true, model: 'gpt-4o-mini', models: ['gpt-4o-mini'] };
const input = (over: Partial<PolicyInputContext> = {}) => buildPolicyInput({
  req, principal: null, llm, nowMs: Date.UTC(2026, 0, 1), credentialHeaders: new Set(['authorization', 'x-api-key']), ...over,
});

describe('buildPolicyInput', () => {
  test('the request as policy sees it: normalised path, parsed query, no credentials, no Tollgate headers', () => {
    expect(input()).toMatchObject({
      version: POLICY_INPUT_VERSION, gateway: 'envoy_http',
      request: {
        method: 'POST', path: '/v1/chat/completions', raw_path: '/v1//chat/completions', query_params: { a: ['1', '2'], b: [''] },
        headers: { 'content-type': 'application/json' }, source: { address: '10.0.0.7', principal: null },
        context: { route: 'chat' }, metadata: {}, body_truncated: true,
      },
      llm: { endpoint_known: true, operation: 'chat.completions', model_call: true, model: 'gpt-4o-mini', models: ['gpt-4o-mini'] },
      usage: {}, delegation: null,
      time: { now_ns: Date.UTC(2026, 0, 1) * 1e6, now: '2026-01-01T00:00:00.000Z' },
    });
    expect(Object.keys((input().request as { headers: object }).headers)).toEqual(['content-type']);
  });

  test('an anonymous caller', () => {
    expect(input().identity).toEqual({ authenticated: false, method: 'none', id: null, subject: null, scopes: [], models: [], tools: [], groups: [] });
  });

  test('a caller, the user it acts for, and its usage', () => {
    const user = principal({ kind: 'jwt', id: 'jwt:idp#u1', subject: 'u1', keyId: undefined, issuer: 'idp', claims: { email: 'u1@x' } });
    const got = input({ principal: principal({ tenant: 'acme' }), delegation: { user, chain: ['svc-a'] }, usage: { day: { tokens: 3 } } });
    expect(got).toMatchObject({
      identity: { authenticated: true, method: 'api_key', id: 'api_key:svc-a', subject: 'svc-a', key_id: 'k1', issuer: null, tenant: 'acme', claims: {}, workload: null },
      delegation: { user: { method: 'jwt', id: 'jwt:idp#u1', key_id: null, issuer: 'idp', claims: { email: 'u1@x' } }, chain: ['svc-a'] },
      usage: { day: { tokens: 3 } },
    });
  });

  test('a request never read keeps its own path', () => {
    expect(input({ llm: unknownEndpointFacts(null) }).request).toMatchObject({ path: '/v1//chat/completions', raw_path: '/v1//chat/completions' });
  });
});
