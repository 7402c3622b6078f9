import { verdictFromResult, verdictFromResultSet } from '../../../src/core/decision.js';
import { codeOf } from '../../helpers/error-code.js';

describe('policy result normalisation', () => {
  test('booleans', () => {
    expect(verdictFromResult(true)).toMatchObject({ allow: true, status: 200, reason: 'allowed' });
    expect(verdictFromResult(false)).toMatchObject({ allow: false, status: 403, reason: 'denied' });
  });

  test('Tollgate object with headers', () => {
    const v = verdictFromResult({ allow: false, status: 429, reason: 'budget_exceeded', response_headers: { 'Retry-After': '30' }, body: { msg: 'slow down' } });
    expect(v).toMatchObject({ allow: false, status: 429, reason: 'budget_exceeded', responseHeaders: { 'retry-after': '30' }, body: '{"msg":"slow down"}' });
  });

  test('OPA-Envoy object carries over', () => {
    const v = verdictFromResult({ allowed: true, headers: { 'x-team': ['a', 'b'] }, response_headers_to_add: { 'x-r': '1' }, request_headers_to_remove: ['X-Secret'], dynamic_metadata: { k: 1 } });
    expect(v).toMatchObject({ allow: true, status: 200, headers: { 'x-team': 'a, b' }, responseHeaders: { 'x-r': '1' }, removeHeaders: ['x-secret'], dynamicMetadata: { k: 1 } });
    expect(verdictFromResult({ allowed: false, http_status: 401 })).toMatchObject({ allow: false, status: 401 });
  });

  test.each([
    ['undefined result set', () => verdictFromResultSet([]), 'ERR_POLICY_RESULT_UNDEFINED'],
    ['not an array', () => verdictFromResultSet('nope'), 'ERR_POLICY_RESULT_UNDEFINED'],
    ['missing result key', () => verdictFromResultSet([{}]), 'ERR_POLICY_RESULT_UNDEFINED'],
    ['string result', () => verdictFromResult('allow'), 'ERR_POLICY_RESULT_INVALID'],
    ['allow not boolean', () => verdictFromResult({ allow: 'true' }), 'ERR_POLICY_RESULT_INVALID'],
    ['allow with a 403', () => verdictFromResult({ allow: true, status: 403 }), 'ERR_POLICY_RESULT_INVALID'],
    ['deny with a 200', () => verdictFromResult({ allow: false, status: 200 }), 'ERR_POLICY_RESULT_INVALID'],
    ['status out of range', () => verdictFromResult({ allow: false, status: 999 }), 'ERR_POLICY_RESULT_INVALID'],
    ['reason with spaces', () => verdictFromResult({ allow: false, reason: 'Not Allowed!' }), 'ERR_POLICY_RESULT_INVALID'],
    ['header value object', () => verdictFromResult({ allow: true, headers: { a: { b: 1 } } }), 'ERR_POLICY_RESULT_INVALID'],
    ['header name with newline', () => verdictFromResult({ allow: true, headers: { 'a\nb': 'x' } }), 'ERR_POLICY_RESULT_INVALID'],
    ['header value with a line break', () => verdictFromResult({ allow: true, headers: { a: 'x\r\ny: z' } }), 'ERR_POLICY_RESULT_INVALID'],
    ['header value beyond Latin-1', () => verdictFromResult({ allow: false, response_headers: { a: 'snow ☃' } }), 'ERR_POLICY_RESULT_INVALID'],
  ])('%s is an error (so a deny)', (_name, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });
});
