import { encodeEnvoyHttpDecision } from '../../src/adapters/envoy-http/encode.js';
import { encodeForwardAuthDecision } from '../../src/adapters/forward-auth/encode.js';
import { encodeKongDecision } from '../../src/adapters/kong/encode.js';
import { unknownEndpointFacts } from '../../src/core/llm.js';
import type { Decision } from '../../src/core/types.js';

const identity = {
  'x-tollgate-subject': 'svc-a', 'x-tollgate-key-id': 'k1', 'x-tollgate-credential': 'api_key', 'x-tollgate-decision-id': 'd1', 'x-tollgate-on-behalf-of': '',
};

function decision(over: Partial<Decision>): Decision {
  return {
    decisionId: 'd1', allow: false, status: 403, reason: 'model_not_allowed', headers: {}, responseHeaders: {}, removeHeaders: [],
    body: '{"error":{"code":"model_not_allowed","message":"m","decision_id":"d1"}}', llm: unknownEndpointFacts(null), policyRevision: 'r', durationMs: 0, ...over,
  };
}
const allow = decision({ allow: true, status: 200, reason: 'allowed', headers: identity, body: undefined });

describe('forward-auth answers', () => {
  test.each([
    [401, 401], [403, 403], [429, 429], [400, 403], [413, 403], [500, 403], [503, 403],
  ])('deny status %i is sent as %i (nginx turns anything but 401/403 into 500)', (status, want) => {
    const answer = encodeForwardAuthDecision(decision({ status, reason: 'r', responseHeaders: { 'retry-after': '7' } }));
    expect(answer).toMatchObject({ status: want, headers: { 'retry-after': '7', 'x-tollgate-reason': 'r' } });
    expect(answer.body).toContain('model_not_allowed');
  });

  test('allow: 200, every identity header (empty ones too), no body', () => {
    expect(encodeForwardAuthDecision(allow)).toEqual({ status: 200, headers: identity });
  });
});

describe('Envoy HTTP answers', () => {
  test('allow: exactly 200, identity headers, removal list only when non-empty', () => {
    expect(encodeEnvoyHttpDecision(allow)).toEqual({ status: 200, headers: identity });
    const removing = encodeEnvoyHttpDecision({ ...allow, removeHeaders: ['authorization', 'x-tollgate-subject'] });
    // Envoy removes after setting: listing a header Tollgate sets would strip the identity it just set.
    expect(removing.headers['x-envoy-auth-headers-to-remove']).toBe('authorization');
  });

  test.each([[401], [403], [429], [400], [503]])('deny %i keeps its status (5xx becomes Envoy status_on_error)', (status) => {
    const answer = encodeEnvoyHttpDecision(decision({ status, responseHeaders: { 'www-authenticate': 'Bearer' } }));
    expect(answer).toMatchObject({ status, headers: { 'www-authenticate': 'Bearer' } });
    expect(answer.body).toBeDefined();
  });

  test('a deny can never answer 200 (Envoy would allow)', () => {
    expect(encodeEnvoyHttpDecision(decision({ status: 200 })).status).toBe(403);
  });
});

describe('Kong OPA plugin result', () => {
  test('allow: headers for the upstream', () => {
    expect(encodeKongDecision(allow)).toEqual({ result: { allow: true, headers: identity } });
  });

  test('deny: status, client headers, and the reason object as the message', () => {
    expect(encodeKongDecision(decision({ status: 401, responseHeaders: { 'www-authenticate': 'Bearer' } }))).toEqual({
      result: { allow: false, status: 401, headers: { 'www-authenticate': 'Bearer' }, message: { error: { code: 'model_not_allowed', message: 'm', decision_id: 'd1' } } },
    });
  });
});
