import path from 'node:path';
import { configProblems } from '../helpers/config.js';
import { postJson, startTollgate, tempDir, writeFile, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

/**
 * The model-scope bypasses of the adversarial review, through a running server with the embedded
 * policy: a key granted only gpt-4o-mini never gets an allow for another model, whatever route,
 * spelling, method or body form names it.
 */
describe('a key granted gpt-4o-mini, through the native API', () => {
  let tg: RunningTollgate;
  let scoped: TestKey;
  let everything: TestKey;
  beforeAll(async () => {
    const dir = tempDir();
    const keyFile = path.join(dir, 'keys.yaml');
    [scoped, everything] = writeKeys(keyFile, [{ subject: 'scoped', models: ['gpt-4o-mini'] }, { subject: 'all', models: ['*'] }]);
    const config = writeFile(dir, 'tollgate.yaml', [
      'upstream:',
      '  endpoints:',
      '    - {method: GET, path: /health/readiness, operation: health}',
      '    - {method: POST, path: "/custom/{model}/generate", operation: custom.generate, model: path}',
    ].join('\n'));
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: keyFile }, config);
  });
  afterAll(() => tg.stop());

  const ask = async (method: string, requestPath: string, body?: unknown, headers: Record<string, string> = {}, key = scoped) => {
    const res = await postJson(`${tg.url}/v1/authorize`, { method, path: requestPath, headers: { authorization: `Bearer ${key.secret}`, ...headers }, body });
    return res.json as { allow: boolean; status: number; reason: string; models: string[] };
  };

  test.each([
    ['POST', '/engines/o1/chat/completions', { messages: [] }],
    ['POST', '/v1/batches', { input_file_id: 'f', endpoint: '/v1/chat/completions' }],
    ['POST', '/v1/threads/t1/runs', { assistant_id: 'a' }],
    ['POST', '/v1/realtime/sessions', { model: 'o1' }],
    ['POST', '/v1/fine_tuning/jobs', { model: 'o1', training_file: 'f' }],
    ['POST', '/v1/messages/batches', { requests: [{ custom_id: '1', params: { model: 'o1' } }] }],
    ['POST', '/v1beta/models/o1:generateContent', { contents: [] }],
    ['POST', '/v1/rerank', { model: 'o1' }],
    ['POST', '/openai/deployments/o1/chat/completions', { messages: [] }],
    ['POST', '/openai/deployments/o1/chat/completions', { model: 'gpt-4o-mini' }],
    ['POST', '/v1/chat/completions', { model: 'gpt-4o-mini,o1' }],
    ['POST', '/v1/chat/completions', { model: 'gpt-4o-mini', fallbacks: ['o1'] }],
    ['POST', '/v1/chat/completions', { model: 'gpt-4o-mini', context_window_fallbacks: [{ 'gpt-4o-mini': ['o1'] }] }],
    ['POST', '/v1/chat/completions/', { model: 'o1' }],
    ['POST', '/V1/CHAT/COMPLETIONS', { model: 'o1' }],
    ['POST', '/v1/%63hat/completions', { model: 'o1' }],
    ['POST', '/v1/chat/completions;x=y', { model: 'o1' }],
    ['POST', '//v1//chat//completions', { model: 'o1' }],
    ['POST', '/v1/chat%2Fcompletions', { model: 'o1' }],
    ['POST', '/v1/%2e%2e/v1/chat/completions', { model: 'o1' }],
    ['DELETE', '/v1/models/gpt-4o-mini', undefined],
    ['POST', '/key/generate', { models: ['o1'] }],
    ['GET', '/custom/o1/generate', undefined],
    ['POST', '/custom/o1/generate', {}],
  ])('%s %s %j is never an allow', async (method, requestPath, body) => {
    expect((await ask(method, requestPath, body)).allow).toBe(false);
  });

  test('reasons: unknown endpoint, ambiguous path, mismatch, unreadable body, unknown model', async () => {
    expect(await ask('DELETE', '/v1/models/gpt-4o-mini')).toMatchObject({ status: 403, reason: 'endpoint_unknown' });
    expect(await ask('POST', '/v1/chat%2Fcompletions', { model: 'gpt-4o-mini' })).toMatchObject({ status: 400, reason: 'path_ambiguous' });
    expect(await ask('POST', '/openai/deployments/gpt-4o-mini/chat/completions', { model: 'o1' })).toMatchObject({ status: 400, reason: 'model_mismatch' });
    expect(await ask('POST', '/v1/chat/completions', 'model=gpt-4o-mini&model=o1', { 'content-type': 'application/x-www-form-urlencoded' })).toMatchObject({ status: 400, reason: 'body_unreadable' });
    expect(await ask('POST', '/v1/chat/completions', { model: 'o1\r\nx' })).toMatchObject({ status: 400, reason: 'model_invalid' });
    expect(await ask('POST', '/v1/batches', { input_file_id: 'f' })).toMatchObject({ status: 403, reason: 'model_unknown' });
  });

  test('a body given as text is read by its content type, as LiteLLM reads it', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(await ask('POST', '/v1/chat/completions', 'model=gpt-4o-mini&messages=x', form)).toMatchObject({ allow: true, models: ['gpt-4o-mini'] });
    expect(await ask('POST', '/v1/chat/completions', '{"x":"=1&model=o1&y=":"gpt-4o-mini"}', form)).toMatchObject({ allow: false, models: ['o1'] });
  });

  test('granted spellings and routes are allowed', async () => {
    for (const [method, requestPath, body] of [
      ['POST', '/v1/chat/completions/', { model: 'gpt-4o-mini' }],
      ['POST', '/openai/deployments/gpt-4o-mini/chat/completions', { messages: [] }],
      ['POST', '/v1/chat/completions', { model: 'gpt-4o-mini', fallbacks: ['gpt-4o-mini'] }],
      ['GET', '/V1/models/', undefined],
      ['HEAD', '/v1/models', undefined],
      ['GET', '/health/readiness', undefined],
      ['POST', '/custom/gpt-4o-mini/generate', {}],
    ] as const) {
      expect({ method, requestPath, ...(await ask(method, requestPath, body)) }).toMatchObject({ allow: true });
    }
  });

  test('a caller granted every model may make calls whose model is not named', async () => {
    expect(await ask('POST', '/v1/batches', { input_file_id: 'f' }, {}, everything)).toMatchObject({ allow: true });
    expect(await ask('POST', '/key/generate', {}, {}, everything)).toMatchObject({ allow: false, reason: 'endpoint_unknown' });
  });
});

describe('upstream.endpoints configuration', () => {
  test.each([
    [{ method: 'GET', path: 'health', operation: 'h' }, 'must start with /'],
    [{ method: 'GET', path: '/a//b', operation: 'h' }, 'empty segment'],
    [{ method: 'GET', path: '/a/%2F', operation: 'h' }, 'characters a normalised path never holds'],
    [{ method: 'POST', path: '/a/{model}', operation: 'h' }, 'model: path needs a {model} segment'],
    [{ method: 'POST', path: '/a/b', operation: 'h', model: 'path' }, 'model: path needs a {model} segment'],
  ])('%j is refused', (endpoint, problem) => {
    const problems = configProblems({ TOLLGATE_UPSTREAM__ENDPOINTS: JSON.stringify([endpoint]) });
    expect(problems.join('\n')).toContain(problem);
  });
});
