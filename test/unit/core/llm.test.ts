import { DEFAULT_ENDPOINTS } from '../../../src/core/endpoint-catalogue.js';
import { EndpointMatcher } from '../../../src/core/endpoints.js';
import { readLlmFacts, type LlmReading } from '../../../src/core/llm.js';
import type { AuthzRequest, LlmFacts } from '../../../src/core/types.js';
import { codeOf as errorCodeOf } from '../../helpers/error-code.js';

const reading: LlmReading = { endpoints: new EndpointMatcher(DEFAULT_ENDPOINTS), upstreamReadsFallbacks: true };

function request(over: Partial<AuthzRequest>): AuthzRequest {
  return { gateway: 'native', method: 'POST', path: '/v1/chat/completions', query: '', host: '', scheme: 'http', headers: {}, source: {}, ...over };
}

function facts(over: Partial<AuthzRequest>, options: LlmReading = reading): LlmFacts {
  return readLlmFacts(request(over), options);
}

const codeOf = (over: Partial<AuthzRequest>) => errorCodeOf(() => facts(over));

describe('what a request runs: endpoint and operation', () => {
  test.each<[string, string, string, Partial<LlmFacts>]>([
    ['POST', '/v1/chat/completions', 'OpenAI chat', { api: 'openai', operation: 'chat.completions', modelCall: true }],
    ['POST', '/chat/completions', 'LiteLLM without /v1', { operation: 'chat.completions', modelCall: true }],
    ['POST', '/openai/v1/responses', 'Azure v1 API', { operation: 'responses', modelCall: true }],
    ['POST', '/v1/messages', 'Anthropic', { api: 'anthropic', operation: 'messages', modelCall: true }],
    ['POST', '/anthropic/v1/messages/count_tokens', 'LiteLLM Anthropic pass-through', { operation: 'messages.count_tokens', modelCall: true }],
    ['POST', '/v1/batches', 'OpenAI batches (models in a file)', { operation: 'batches', modelCall: true, modelUnknown: true }],
    ['POST', '/v1/threads/thread_1/runs', 'assistants run', { operation: 'threads.runs', modelCall: true }],
    ['POST', '/v1/fine_tuning/jobs', 'fine-tuning', { operation: 'fine_tuning.jobs', modelCall: true }],
    ['POST', '/v1/realtime/sessions', 'realtime session', { operation: 'realtime.sessions', modelCall: true }],
    ['POST', '/v2/rerank', 'rerank', { operation: 'rerank', modelCall: true }],
    ['GET', '/v1/models', 'models list', { operation: 'models.list', modelCall: false, endpointKnown: true }],
    ['HEAD', '/v1/models/gpt-4o', 'HEAD of a GET endpoint', { operation: 'models.retrieve', modelCall: false }],
    ['GET', '/v1/files/file-1/content', 'file content', { operation: 'files.content', modelCall: false }],
    ['POST', '/v1/batches/b1/cancel', 'cancel', { operation: 'batches.cancel', modelCall: false }],
    ['DELETE', '/v1/models/ft:gpt-4o:org::1', 'DELETE a model is not listed', { endpointKnown: false }],
    ['POST', '/v1/models', 'POST to a GET endpoint', { endpointKnown: false }],
    ['POST', '/key/generate', 'LiteLLM admin API', { endpointKnown: false }],
    ['GET', '/admin', 'anything else', { endpointKnown: false, modelCall: false }],
  ])('%s %s: %s', (method, path, _name, want) => {
    expect(facts({ method, path, body: { model: 'gpt-4o-mini' } })).toMatchObject(want);
  });
});

describe('path spellings read as the upstream routes them', () => {
  test.each([
    '/v1/chat/completions/', '/V1/Chat/Completions', '//v1//chat/completions', '/v1/./chat/completions',
    '/v1/x/../chat/completions', '/v1/chat/completions;x=1', '/v1/chat;a/completions', '/v1/%63hat/completions',
    '/v1/chat/%43OMPLETIONS', '/%76%31/chat/completions/', '/./v1/chat/completions//',
  ])('%s is a chat completion', (path) => {
    const read = facts({ path, body: { model: 'o1' } });
    expect(read).toMatchObject({ operation: 'chat.completions', modelCall: true, models: ['o1'] });
    expect(read.path?.toLowerCase()).toBe('/v1/chat/completions');
  });

  test.each([
    ['/v1/chat%2Fcompletions', 'encoded slash'], ['/v1/chat%2fcompletions', 'lower-case encoded slash'], ['/v1/%2e%2e/chat/completions', 'encoded dot-dot'],
    ['/v1/%2E/chat/completions', 'encoded dot'], ['/v1/chat%5Ccompletions', 'encoded backslash'], ['/v1/chat\\completions', 'backslash'],
    ['/v1/chat/completions%00', 'NUL'], ['/v1/chat/completions%', 'bad escape'], ['/v1/%ZZchat', 'bad hex'], ['/v1/%C0%AE', 'overlong UTF-8'],
    ['/v1/chat/%2563ompletions', 'double encoding'], ['/../v1/chat/completions', 'above the root'], ['/v1/chat /completions', 'space'],
    ['v1/chat/completions', 'relative'],
  ])('%s (%s) is refused as ambiguous', (path) => {
    expect(codeOf({ path, body: { model: 'o1' } })).toBe('ERR_PATH_AMBIGUOUS');
  });
});

describe('every model a request can run', () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ['one model', { model: 'gpt-4o-mini' }, ['gpt-4o-mini']],
    ['LiteLLM comma list', { model: 'gpt-4o-mini, o1' }, ['gpt-4o-mini', 'o1']],
    ['a list', { model: ['gpt-4o-mini', 'o1'] }, ['gpt-4o-mini', 'o1']],
    ['fallbacks', { model: 'gpt-4o-mini', fallbacks: ['o1'] }, ['gpt-4o-mini', 'o1']],
    ['fallbacks as model entries', { model: 'a', fallbacks: [{ model: 'b', fallbacks: ['c'] }] }, ['a', 'b', 'c']],
    ['fallbacks as a group map', { model: 'a', fallbacks: [{ a: ['o1', 'o3'] }] }, ['a', 'o1', 'o3']],
    ['context window fallbacks', { model: 'a', context_window_fallbacks: [{ a: ['o1'] }] }, ['a', 'o1']],
    ['content policy fallbacks', { model: 'a', content_policy_fallbacks: ['o1'] }, ['a', 'o1']],
    ['router_settings_override fallbacks', { model: 'a', router_settings_override: { fallbacks: ['o1'] } }, ['a', 'o1']],
    ['target_model_names', { target_model_names: 'a,o1' }, ['a', 'o1']],
  ])('%s', (_name, body, models) => {
    expect(facts({ body })).toMatchObject({ models, model: models[0], modelUnknown: false });
  });

  test.each<[string, Record<string, unknown>]>([
    ['user_config (a router of its own)', { model: 'a', user_config: { model_list: [] } }],
    ['a number for a model', { model: 42 }],
    ['fallbacks not a list', { model: 'a', fallbacks: 'o1' }],
    ['fallback entry not a name', { model: 'a', fallbacks: [7] }],
    ['router_settings_override not an object', { model: 'a', router_settings_override: 'x' }],
    ['MODEL beside model (Go decoders match field names case-insensitively)', { model: 'gpt-4o-mini', MODEL: 'o1' }],
    ['Fallbacks in another case', { model: 'gpt-4o-mini', Fallbacks: ['o1'] }],
  ])('%s cannot be read', (_name, body) => {
    expect(codeOf({ body })).toBe('ERR_BODY_UNREADABLE');
  });

  test.each(['o1\r\nx', 'o1\u0000', '../o1', 'a/../b', 'gpt 4', 'o1*', '', 'x'.repeat(257), 'a,,b', 'ümlaut', 'o1%2F'])('model %j is outside the grammar', (model) => {
    expect(codeOf({ body: { model } })).toBe('ERR_MODEL_INVALID');
  });

  test('a body that names no model leaves the model unknown', () => {
    expect(facts({ body: { messages: [] } })).toMatchObject({ modelCall: true, models: [], model: null, modelUnknown: true });
  });

  test('an unseen body (forward-auth, Envoy without the body) leaves the model unknown', () => {
    expect(facts({})).toMatchObject({ modelCall: true, modelUnknown: true });
  });

  test('Anthropic message batches: every request names its model', () => {
    const body = { requests: [{ custom_id: '1', params: { model: 'a' } }, { custom_id: '2', params: { model: 'o1' } }] };
    expect(facts({ path: '/v1/messages/batches', body })).toMatchObject({ models: ['a', 'o1'], modelUnknown: false });
    expect(facts({ path: '/v1/messages/batches', body: { requests: [{ params: {} }] } })).toMatchObject({ modelUnknown: true });
    expect(codeOf({ path: '/v1/messages/batches', body: { requests: 'x' } })).toBe('ERR_BODY_UNREADABLE');
  });

  test('OpenAI batches stay unknown even when the body names a model', () => {
    expect(facts({ path: '/v1/batches', body: { model: 'a', input_file_id: 'f' } })).toMatchObject({ models: ['a'], modelUnknown: true });
  });
});

describe('models named by the path', () => {
  test.each<[string, string]>([
    ['/openai/deployments/gpt-4o-prod/chat/completions', 'gpt-4o-prod'],
    ['/openai/deployments/gpt-4o-prod/chat/completions/', 'gpt-4o-prod'],
    ['/OPENAI/Deployments/gpt-4o-prod/embeddings', 'gpt-4o-prod'],
    ['/engines/gpt-4o/chat/completions', 'gpt-4o'],
    ['/v1beta/models/gemini-2.0-flash:generateContent', 'gemini-2.0-flash'],
    ['/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent', 'gemini-2.0-flash'],
    ['/v1/models/gemini-2.0-flash:countTokens', 'gemini-2.0-flash'],
    ['/vertex_ai/v1/projects/p/locations/us/publishers/google/models/gemini-pro:generateContent', 'gemini-pro'],
    ['/openai/deployments/gpt%2D4o/chat/completions', 'gpt-4o'],
  ])('%s runs %s', (path, model) => {
    expect(facts({ path, body: { messages: [] } })).toMatchObject({ modelCall: true, models: [model], modelUnknown: false });
  });

  test('a body naming another model than the deployment is a mismatch', () => {
    expect(codeOf({ path: '/openai/deployments/gpt-4o-mini/chat/completions', body: { model: 'o1' } })).toBe('ERR_MODEL_MISMATCH');
    expect(facts({ path: '/openai/deployments/gpt-4o-mini/chat/completions', body: { model: 'gpt-4o-mini' } }).models).toEqual(['gpt-4o-mini']);
  });

  test('fallbacks in the body are run too', () => {
    expect(facts({ path: '/openai/deployments/a/chat/completions', body: { fallbacks: ['o1'] } }).models).toEqual(['a', 'o1']);
  });

  test('an unseen body may hold fallbacks: unknown when the upstream runs them, not otherwise', () => {
    const path = '/openai/deployments/a/chat/completions';
    expect(facts({ path })).toMatchObject({ models: ['a'], modelUnknown: true });
    expect(facts({ path }, { ...reading, upstreamReadsFallbacks: false })).toMatchObject({ models: ['a'], modelUnknown: false });
  });

  test('a deployment name outside the grammar is refused', () => {
    expect(codeOf({ path: '/openai/deployments/a%20b/chat/completions', body: {} })).toBe('ERR_MODEL_INVALID');
  });

  test('realtime takes the one model query parameter', () => {
    expect(facts({ method: 'GET', path: '/v1/realtime', query: 'model=gpt-4o-realtime' })).toMatchObject({ models: ['gpt-4o-realtime'] });
    expect(codeOf({ method: 'GET', path: '/v1/realtime', query: 'model=a&model=o1' })).toBe('ERR_MODEL_INVALID');
    expect(codeOf({ method: 'GET', path: '/v1/realtime', query: 'model=gpt-4o-realtime&MODEL=o1' })).toBe('ERR_MODEL_INVALID');
    expect(facts({ method: 'GET', path: '/v1/realtime', query: 'Model=gpt-4o-realtime' }).models).toEqual(['gpt-4o-realtime']);
  });
});

describe('the body read in the upstream dialect', () => {
  const json = JSON.stringify({ model: 'gpt-4o-mini', messages: [{}], stream: true, max_tokens: 9, tools: [{ type: 'function', function: { name: 'f' } }] });

  test.each<[string | undefined, string]>([
    [undefined, 'no content type (LiteLLM and FastAPI read JSON)'],
    ['application/json', 'JSON'], ['application/json; charset=utf-8', 'JSON with charset'], ['Application/JSON', 'JSON in capitals'],
    ['application/vnd.api+json', 'a +json type'],
  ])('%s: %s', (contentType) => {
    const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
    expect(facts({ headers, rawBody: json })).toMatchObject({ models: ['gpt-4o-mini'], stream: true, maxTokens: 9, tools: ['f'], messageCount: 1 });
  });

  test('a URL-encoded form is read as a form, not as the JSON it may look like', () => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(facts({ headers, rawBody: 'model=o1&messages=x' }).models).toEqual(['o1']);
    expect(facts({ headers, rawBody: '{"x":"=1&model=o1&y=":"gpt-4o-mini"}' }).models).toEqual(['o1']);
  });

  test.each<[string, string]>([
    ['application/x-www-form-urlencoded', 'model=gpt-4o-mini&model=o1'],
    ['application/x-www-FORM-urlencoded', 'model=o1'],
    ['text/plain', '{"model":"gpt-4o-mini"}'],
    ['text/formatted', '{"model":"gpt-4o-mini"}'],
    ['application/json', '{"model":"gpt-4o-mini",'],
    ['application/json', '["gpt-4o-mini"]'],
    ['application/json', '{"model": NaN}'],
    ['application/json; profile=form', '{"model":"gpt-4o-mini"}'],
    ['application/vnd.platform+json; x=formal', '{"model":"gpt-4o-mini"}'],
  ])('%s %s cannot be read one way only', (contentType, rawBody) => {
    expect(codeOf({ headers: { 'content-type': contentType }, rawBody })).toBe('ERR_BODY_UNREADABLE');
  });

  test('multipart and cut bodies are opaque: the model is unknown', () => {
    expect(facts({ headers: { 'content-type': 'multipart/form-data; boundary=x' }, rawBody: '--x\r\n' })).toMatchObject({ modelUnknown: true, models: [] });
    expect(facts({ rawBody: '{"model":"a","messages":[', bodyTruncated: true })).toMatchObject({ modelUnknown: true });
  });

  test('a body that is not a model call is never read', () => {
    expect(facts({ method: 'POST', path: '/v1/files', headers: { 'content-type': 'text/plain' }, rawBody: 'anything' })).toMatchObject({ operation: 'files.create', modelCall: false });
  });
});

describe('a proxy header naming the model when no body is forwarded', () => {
  test('names the model; fallbacks in the unseen body keep it unknown unless the upstream runs none', () => {
    expect(facts({ declaredModel: 'gpt-4o-mini' })).toMatchObject({ models: ['gpt-4o-mini'], modelUnknown: true });
    expect(facts({ declaredModel: 'gpt-4o-mini' }, { ...reading, upstreamReadsFallbacks: false })).toMatchObject({ models: ['gpt-4o-mini'], modelUnknown: false });
  });

  test('must agree with a deployment path and keep to the grammar', () => {
    expect(codeOf({ path: '/openai/deployments/a/chat/completions', declaredModel: 'o1' })).toBe('ERR_MODEL_MISMATCH');
    expect(codeOf({ declaredModel: 'o1, gpt-4o-mini' })).toBe('ERR_MODEL_INVALID');
  });

  test('is ignored when the body is forwarded: the body is what the upstream runs', () => {
    expect(facts({ declaredModel: 'gpt-4o-mini', rawBody: '{"model":"o1"}' }).models).toEqual(['o1']);
  });
});
