import { answerFromResult, checkCaller } from '../../../src/core/access-evaluation.js';
import type { Principal } from '../../../src/core/types.js';

describe('access questions', () => {
  test.each([
    [true, { decision: true }],
    [false, { decision: false }],
    [{ decision: true }, { decision: true }],
    [{ decision: false, context: { reason: 'x' } }, { decision: false, context: { reason: 'x' } }],
  ])('the result %j is the answer %j', (result, answer) => {
    expect(answerFromResult(result)).toEqual(answer);
  });

  test.each([['yes'], [1], [null], [{ allow: true }], [{ decision: 'true' }], [{ decision: true, context: [] }], [{ decision: true, context: 'ok' }]])(
    'the result %j is invalid (and so a deny)', (result) => {
      expect(() => answerFromResult(result)).toThrow(expect.objectContaining({ code: 'ERR_POLICY_RESULT_INVALID' }));
    },
  );

  const caller = (scopes: string[]): Principal => ({ kind: 'api_key', id: 'api_key:pep', subject: 'pep', scopes, models: [], groups: [] });

  test('a caller needs a credential and the scope, unless the rule asks for neither', () => {
    const rule = { required: true, scope: 'authzen' };
    expect(() => checkCaller(null, rule)).toThrow(expect.objectContaining({ code: 'ERR_CALLER_UNAUTHENTICATED', status: 401 }));
    expect(() => checkCaller(caller(['model:*']), rule)).toThrow(expect.objectContaining({ code: 'ERR_CALLER_SCOPE_MISSING', status: 403 }));
    expect(() => checkCaller(caller(['authzen']), rule)).not.toThrow();
    expect(() => checkCaller(caller([]), { required: true, scope: null })).not.toThrow();
    expect(() => checkCaller(null, { required: false, scope: 'authzen' })).not.toThrow();
  });
});
