import { readLlmFacts } from '../../src/core/llm.js';

describe('readLlmFacts', () => {
  const cases: Array<{ name: string; path: string; body: unknown; want: Partial<ReturnType<typeof readLlmFacts>> }> = [
    {
      name: 'OpenAI chat with tools and stream',
      path: '/v1/chat/completions',
      body: { model: 'gpt-4o', stream: true, max_completion_tokens: 50, messages: [{}, {}], tools: [{ type: 'function', function: { name: 'get_weather' } }] },
      want: { api: 'openai', operation: 'chat.completions', modelCall: true, model: 'gpt-4o', stream: true, maxTokens: 50, tools: ['get_weather'], messageCount: 2 },
    },
    { name: 'LiteLLM path without /v1', path: '/chat/completions', body: { model: 'm' }, want: { api: 'openai', model: 'm', modelCall: true } },
    { name: 'legacy functions', path: '/v1/chat/completions', body: { model: 'm', functions: [{ name: 'f1' }] }, want: { tools: ['f1'] } },
    {
      name: 'Anthropic messages',
      path: '/v1/messages',
      body: { model: 'claude-3-5-sonnet', max_tokens: 1024, messages: [{}], tools: [{ name: 'search', input_schema: {} }] },
      want: { api: 'anthropic', operation: 'messages', model: 'claude-3-5-sonnet', maxTokens: 1024, tools: ['search'], messageCount: 1 },
    },
    {
      name: 'Azure deployment takes the model from the path',
      path: '/openai/deployments/gpt-4o-prod/chat/completions',
      body: { messages: [] },
      want: { api: 'azure', operation: 'chat.completions', model: 'gpt-4o-prod', modelCall: true },
    },
    { name: 'Responses API built-in tool by type', path: '/v1/responses', body: { model: 'o3', input: [{}, {}, {}], tools: [{ type: 'web_search' }] }, want: { operation: 'responses', tools: ['web_search'], messageCount: 3 } },
    { name: 'models list is not a model call', path: '/v1/models', body: undefined, want: { operation: 'models.list', modelCall: false, model: null } },
    { name: 'unknown path has no facts', path: '/admin', body: { model: 'x' }, want: { api: null, modelCall: false, model: null } },
    { name: 'non-object body yields no model', path: '/v1/chat/completions', body: 'text', want: { modelCall: true, model: null, tools: [] } },
    { name: 'empty model string is no model', path: '/v1/embeddings', body: { model: '' }, want: { model: null } },
  ];
  test.each(cases)('$name', ({ path, body, want }) => {
    expect(readLlmFacts(path, body)).toMatchObject(want);
  });
});
