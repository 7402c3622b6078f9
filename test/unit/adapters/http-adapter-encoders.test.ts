import { encodeEnvoyHttpDecision } from '../../../src/adapters/envoy-http/encode.js';
import { encodeForwardAuthDecision } from '../../../src/adapters/forward-auth/encode.js';
import { encodeKongDecision } from '../../../src/adapters/kong/encode.js';
import { encodeNativeDecision } from '../../../src/adapters/native/encode.js';
import type { Decision } from '../../../src/core/types.js';
import { deniedDecision } from '../../helpers/fixtures.js';

const identity = {
  'x-tollgate-subject': 'svc-a', 'x-tollgate-key-id': 'k1', 'x-tollgate-credential': 'api_key', 'x-tollgate-decision-id': 'd1', 'x-tollgate-on-behalf-of': '',
};
const ERROR_BODY = '{"error":{"code":"model_not_allowed","message":"m","decision_id":"d1"}}';

const decision = (over: Partial<Decision>): Decision => deniedDecision({ decisionId: 'd1', ...over });
const allow = decision({ allow: true, status: 200, reason: 'allowed', headers: identity, denial: undefined });
const unauthenticated = decision({ status: 401, reason: 'unauthenticated', denial: { code: 'unauthenticated', message: 'm', challenge: {} } });
const refusedKey = decision({ status: 401, reason: 'credential_invalid', denial: { code: 'credential_invalid', message: 'm', challenge: { error: 'invalid_token' } } });
const policyBody = decision({ denial: { code: 'model_not_allowed', message: 'm', policyBody: '{"msg":"ask your admin"}' } });

describe('the deny every dialect formats', () => {
  const encoders: Record<string, (d: Decision) => { body?: string; headers: Record<string, string> }> = {
    native: (d) => {
      const answer = encodeNativeDecision(d);
      return { body: answer.body as string | undefined, headers: answer.response_headers as Record<string, string> };
    },
    envoy_http: encodeEnvoyHttpDecision,
    forward_auth: encodeForwardAuthDecision,
  };

  test.each(Object.keys(encoders))('%s: Tollgate\'s error body, or the policy\'s own', (name) => {
    expect(encoders[name](decision({})).body).toBe(ERROR_BODY);
    expect(encoders[name](policyBody).body).toBe('{"msg":"ask your admin"}');
  });

  test.each(Object.keys(encoders))('%s: a 401 carries the Bearer challenge, naming invalid_token for a refused credential', (name) => {
    expect(encoders[name](unauthenticated).headers['www-authenticate']).toBe('Bearer realm="tollgate"');
    expect(encoders[name](refusedKey).headers['www-authenticate']).toBe('Bearer realm="tollgate", error="invalid_token"');
  });

  test.each(Object.keys(encoders))('%s: a challenge the policy wrote is kept', (name) => {
    const own = { ...unauthenticated, responseHeaders: { 'www-authenticate': 'Bearer realm="corp"' } };
    expect(encoders[name](own).headers['www-authenticate']).toBe('Bearer realm="corp"');
  });

  test('native: an allow has no body and no challenge', () => {
    expect(encodeNativeDecision(allow)).toMatchObject({ allow: true, body: undefined, response_headers: {} });
  });
});

describe('forward-auth answers', () => {
  test.each([
    [401, 401], [403, 403], [429, 429], [400, 403], [413, 403], [500, 403], [503, 403],
  ])('deny status %i is sent as %i (nginx turns anything but 401/403 into 500)', (status, want) => {
    const answer = encodeForwardAuthDecision(decision({ status, reason: 'r', responseHeaders: { 'retry-after': '7' } }));
    expect(answer).toMatchObject({ status: want, headers: { 'retry-after': '7', 'x-tollgate-reason': 'r' } });
    expect(answer.body).toBe(ERROR_BODY);
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
    const answer = encodeEnvoyHttpDecision(decision({ status, responseHeaders: { 'retry-after': '3' } }));
    expect(answer).toEqual({ status, headers: { 'retry-after': '3' }, body: ERROR_BODY });
  });

  test('a deny can never answer 200 (Envoy would allow)', () => {
    expect(encodeEnvoyHttpDecision(decision({ status: 200 })).status).toBe(403);
  });
});

describe('Kong OPA plugin result', () => {
  test('allow: headers for the upstream', () => {
    expect(encodeKongDecision(allow)).toEqual({ result: { allow: true, headers: identity } });
  });

  test('deny: status, client headers with the challenge, and the error object as the message', () => {
    expect(encodeKongDecision(unauthenticated)).toEqual({
      result: { allow: false, status: 401, headers: { 'www-authenticate': 'Bearer realm="tollgate"' }, message: { error: { code: 'unauthenticated', message: 'm', decision_id: 'd1' } } },
    });
  });

  test('a policy body is the message as JSON, or the reason when it is plain text', () => {
    expect(encodeKongDecision(policyBody).result.message).toEqual({ msg: 'ask your admin' });
    expect(encodeKongDecision(decision({ denial: { code: 'model_not_allowed', message: 'm', policyBody: 'go away' } })).result.message).toBe('model_not_allowed');
  });
});
