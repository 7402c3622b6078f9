import { outcomeFromStandardLoggingPayload, outcomeFromTollgateShape, toolCallNames } from '../../../src/outcomes/outcome.js';

/** A trimmed StandardLoggingPayload as LiteLLM 1.106 logs it (the tollgate_litellm callback and the generic webhook). */
const slp = {
  id: 'chatcmpl-1', call_type: 'acompletion', status: 'success', stream: true,
  model: 'openai/mock-gpt', model_group: 'mock-gpt', custom_llm_provider: 'openai',
  prompt_tokens: 11, completion_tokens: 7, total_tokens: 18, response_cost: 0.00012,
  startTime: 1700000000.25, endTime: 1700000001.5,
  metadata: { user_api_key_user_id: 'svc-a', user_api_key_team_id: 'acme', user_api_key_alias: 'k1', user_api_key_auth_metadata: { tollgate_decision_id: 'd-1', tollgate_principal_id: 'api_key:svc-a' } },
  response: { choices: [{ message: { tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] } }] },
};

describe('outcome shapes', () => {
  test.each([
    { name: 'Tollgate shape', got: outcomeFromTollgateShape({ decision_id: 'd-1', usage: { prompt_tokens: 3, completion_tokens: 4 }, tool_calls: ['a', 7, 'b'], stream: false }),
      want: { decisionId: 'd-1', format: 'tollgate', totalTokens: 7, toolCalls: ['a', 'b'], stream: false, status: 'success' } },
    { name: 'Tollgate shape failure', got: outcomeFromTollgateShape({ decision_id: 'd-2', status: 'failure', error: 'upstream 500' }),
      want: { status: 'failure', error: 'upstream 500', totalTokens: 0 } },
    { name: 'StandardLoggingPayload', got: outcomeFromStandardLoggingPayload(slp),
      want: { decisionId: 'd-1', format: 'litellm_webhook', model: 'openai/mock-gpt', modelGroup: 'mock-gpt', provider: 'openai', totalTokens: 18,
        costUsd: 0.00012, toolCalls: ['get_weather'], stream: true, durationMs: 1250, reported: { principalId: 'api_key:svc-a', subject: 'svc-a', tenant: 'acme', keyAlias: 'k1' } } },
    { name: 'StandardLoggingPayload of an Anthropic /v1/messages call, not streamed',
      got: outcomeFromStandardLoggingPayload({ ...slp, stream: null, custom_llm_provider: 'anthropic',
        response: { type: 'message', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] } }),
      want: { provider: 'anthropic', toolCalls: ['get_weather'], stream: false } },
    { name: 'older LiteLLM: decision id under user_api_key_metadata', got: outcomeFromStandardLoggingPayload({ metadata: { user_api_key_metadata: { tollgate_decision_id: 'd-3' } } }),
      want: { decisionId: 'd-3', reported: { principalId: null } } },
    { name: 'Tollgate shape naming the caller', got: outcomeFromTollgateShape({ decision_id: 'd-4', principal_id: 'jwt:https://idp.example#alice', subject: 'alice' }),
      want: { reported: { principalId: 'jwt:https://idp.example#alice', subject: 'alice', tenant: null, keyAlias: null } } },
  ])('$name', ({ got, want }) => {
    expect(got).toMatchObject(want);
  });

  test.each([
    { name: 'no decision id', doc: { usage: {} } },
    { name: 'decision id with spaces', doc: { decision_id: 'a b' } },
    { name: 'negative and non-finite tokens count as zero', doc: { decision_id: 'x', usage: { total_tokens: -5 } }, zero: true },
  ])('$name', ({ doc, zero }) => {
    const got = outcomeFromTollgateShape(doc);
    if (zero) expect(got?.totalTokens).toBe(0);
    else expect(got).toBeNull();
  });

  test('SLP for a call Tollgate did not authorize is not an outcome', () => {
    expect(outcomeFromStandardLoggingPayload({ ...slp, metadata: { user_api_key_user_id: 'x' } })).toBeNull();
  });

  test('tool names from Responses API and Anthropic messages; never arguments', () => {
    expect(toolCallNames({ output: [{ type: 'function_call', name: 'search', arguments: '{}' }, { type: 'message' }] })).toEqual(['search']);
    expect(toolCallNames({ content: [{ type: 'text' }, { type: 'tool_use', name: 'calc', input: { x: 1 } }] })).toEqual(['calc']);
  });
});
