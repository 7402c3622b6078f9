import { recordedInput } from '../../../src/observability/recorded-input.js';

/** log.include_input never writes prompt text, wherever an extended input would carry it. */
test('prompt-bearing keys are left out at any depth; everything else is kept', () => {
  const input = {
    request: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"messages": "secret prompt"}' },
    llm: { model: 'gpt-4o', tools: ['search'], messages: [{ role: 'user', content: 'secret prompt' }] },
    mcp: { calls: [{ tool: 'search', arguments: { q: 'secret prompt' } }] },
    gateway: { prompt: 'secret prompt', instructions: 'secret prompt', input: 'secret prompt' },
  };
  const recorded = recordedInput(input);
  expect(JSON.stringify(recorded)).not.toContain('secret prompt');
  expect(recorded).toEqual({
    request: { method: 'POST', headers: { 'content-type': 'application/json' } },
    llm: { model: 'gpt-4o', tools: ['search'] },
    mcp: { calls: [{ tool: 'search' }] },
    gateway: {},
  });
});
