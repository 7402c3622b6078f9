import { STANDARD_CREDENTIAL_HEADERS } from '../../../../src/identity/credentials.js';
import { decideOrReject } from '../../../../src/adapters/http/decide.js';
import { lowerCaseHeaders } from '../../../../src/adapters/http/headers.js';
import { isHttpMethod, splitTarget } from '../../../../src/adapters/http/request-line.js';
import { requestMalformed } from '../../../../src/adapters/http/malformed.js';
import { DEFAULT_ENDPOINTS } from '../../../../src/core/endpoint-catalogue.js';
import { EndpointMatcher } from '../../../../src/core/endpoints.js';
import { Pipeline } from '../../../../src/core/pipeline.js';
import type { PolicyEngine } from '../../../../src/core/pipeline-ports.js';
import type { AuthzRequest, Decision } from '../../../../src/core/types.js';

describe('request line', () => {
  test.each([
    ['/v1/chat/completions', { path: '/v1/chat/completions', query: '' }],
    ['/v1/models?limit=2&after=x', { path: '/v1/models', query: 'limit=2&after=x' }],
    ['/a?b?c', { path: '/a', query: 'b?c' }],
    ['/a?', { path: '/a', query: '' }],
  ])('splitTarget(%j)', (target, want) => expect(splitTarget(target)).toEqual(want));

  test.each([['GET', true], ['post', true], ['PROPFIND', true], ['', false], ['GET /x', false], ['G\r\nX', false], ['A'.repeat(17), false], [7, false]])(
    'isHttpMethod(%j) is %s', (value, want) => expect(isHttpMethod(value)).toBe(want),
  );
});

describe('lowerCaseHeaders', () => {
  test('lower-cases names and folds lists as HTTP does', () => {
    expect(lowerCaseHeaders({ 'X-Team': ['a', 'b'], Host: 'h' })).toEqual({ 'x-team': 'a, b', host: 'h' });
  });

  test.each([[{ a: 1 }], [{ a: ['x', 2] }], [{ a: null }]])('%j is request_malformed', (headers) => {
    expect(() => lowerCaseHeaders(headers)).toThrow(expect.objectContaining({ code: 'ERR_REQUEST_MALFORMED' }));
  });
});

describe('decideOrReject', () => {
  const records: Array<{ req: AuthzRequest; d: Decision }> = [];
  const policy: PolicyEngine = { revision: 'r1', ready: true, evaluate: () => [{ result: true }], evaluateEntrypoint: () => undefined, dataAt: () => undefined };
  const pipeline = new Pipeline({ standardCredentialHeaders: STANDARD_CREDENTIAL_HEADERS,
    authenticators: [], policy: () => policy, observers: [{ onDecision: (req, d) => records.push({ req, d }) }],
    reading: { endpoints: new EndpointMatcher(DEFAULT_ENDPOINTS), upstreamReadsFallbacks: true },
  });
  const line = { method: 'POST', target: '/v1/data/tollgate/kong?x=1', peer: '10.0.0.9' };
  beforeEach(() => {
    records.length = 0;
  });

  test('input that cannot be decoded is one audited deny with its error, never an allow', async () => {
    const { decision, decoded } = await decideOrReject(pipeline, 'kong', line, () => {
      throw requestMalformed('body must be {"input": {...}}');
    });
    expect(decoded).toBe(false);
    expect(decision).toMatchObject({ allow: false, status: 400, reason: 'request_malformed', denial: { code: 'request_malformed', message: 'body must be {"input": {...}}' } });
    expect(records).toHaveLength(1);
    expect(records[0].req).toMatchObject({ gateway: 'kong', method: 'POST', path: '/v1/data/tollgate/kong', query: 'x=1', source: { address: '10.0.0.9' } });
  });

  test('anything else thrown while decoding is request_malformed too', async () => {
    const { decision } = await decideOrReject(pipeline, 'kong', {}, async () => Promise.reject(new Error('socket hang up')));
    expect(decision).toMatchObject({ status: 400, reason: 'request_malformed' });
    expect(records[0].req).toMatchObject({ method: 'UNKNOWN', path: '/' });
  });

  test('a decoded request goes through the pipeline, recorded once', async () => {
    const request: AuthzRequest = { gateway: 'kong', method: 'GET', path: '/v1/models', query: '', host: 'h', scheme: 'http', headers: {}, source: {} };
    const { decision, decoded } = await decideOrReject(pipeline, 'kong', line, () => request);
    expect(decoded).toBe(true);
    expect(decision).toMatchObject({ allow: true, status: 200 });
    expect(records).toEqual([{ req: request, d: decision }]);
  });
});
