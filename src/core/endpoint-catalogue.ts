/**
 * Which requests Tollgate knows: method + normalised path -> operation, whether it runs a model,
 * and where the upstream takes the model from. Anything not listed is an unknown endpoint, which
 * the default policy denies: an authorizer cannot vouch for a route it cannot read.
 */
export type ModelSource =
  /** `model` (and LiteLLM's comma lists and fallbacks) in the body; none named = unknown. */
  | 'body'
  /** The `{model}` path segment (Azure deployments, LiteLLM /engines, Gemini); a body naming another model is a mismatch. */
  | 'path'
  /** The `model` query parameter (Realtime over WebSocket). */
  | 'query'
  /** Every `requests[].params.model` (Anthropic message batches). */
  | 'batch_requests'
  /** A model call whose models the request does not name (OpenAI batches read them from a file). */
  | 'unknown';

export interface EndpointSpec {
  method: string;
  /**
   * Segments: literals (matched case-insensitively), `{id}` (any one segment), `{model}` (one segment
   * naming the model), or `{model}:a|b` (Gemini's `model:action`). `[/x]` marks an optional prefix.
   */
  path: string;
  api: string;
  operation: string;
  /** Where the model comes from; absent or null = the endpoint runs no model. */
  model?: ModelSource | null;
}

export interface Endpoint {
  api: string;
  operation: string;
  modelCall: boolean;
  modelSource: ModelSource | null;
  /** The `{model}` segment's value, for path-sourced models. */
  pathModel: string | null;
}

const OPENAI = '[/openai][/v1]';
const GEMINI = '[/gemini]/{version}/models/{model}:generatecontent|streamgeneratecontent|counttokens|embedcontent|batchembedcontents|predict';
const VERTEX = '[/vertex_ai]/{version}/projects/{id}/locations/{id}/publishers/{id}/models/{model}:generatecontent|streamgeneratecontent|counttokens|predict|rawpredict|streamrawpredict';

/** OpenAI-compatible (OpenAI, Azure's /openai/v1, LiteLLM, vLLM), Anthropic, Azure deployments, Gemini and Vertex. */
export const DEFAULT_ENDPOINTS: readonly EndpointSpec[] = [
  ...['chat/completions', 'completions', 'embeddings', 'responses', 'responses/input_tokens', 'moderations',
    'images/generations', 'images/edits', 'images/variations', 'audio/speech', 'audio/transcriptions',
    'audio/translations', 'rerank', 'score', 'assistants', 'threads/runs', 'threads/{id}/runs',
    'fine_tuning/jobs', 'realtime/sessions', 'utils/token_counter']
    .map((p): EndpointSpec => ({ method: 'POST', path: `${OPENAI}/${p}`, api: 'openai', operation: p.replace(/\/\{id\}/g, '').replace(/\//g, '.'), model: 'body' })),
  { method: 'POST', path: '/v2/rerank', api: 'openai', operation: 'rerank', model: 'body' },
  { method: 'GET', path: `${OPENAI}/realtime`, api: 'openai', operation: 'realtime', model: 'query' },
  { method: 'POST', path: `${OPENAI}/batches`, api: 'openai', operation: 'batches', model: 'unknown' },
  ...['chat/completions', 'completions', 'embeddings', 'images/generations', 'audio/speech', 'audio/transcriptions', 'audio/translations']
    .map((p): EndpointSpec => ({ method: 'POST', path: `/openai/deployments/{model}/${p}`, api: 'azure', operation: p.replace(/\//g, '.'), model: 'path' })),
  ...['chat/completions', 'completions', 'embeddings']
    .map((p): EndpointSpec => ({ method: 'POST', path: `[/openai]/engines/{model}/${p}`, api: 'openai', operation: p.replace(/\//g, '.'), model: 'path' })),
  ...['messages', 'messages/count_tokens', 'complete']
    .map((p): EndpointSpec => ({ method: 'POST', path: `[/anthropic]/v1/${p}`, api: 'anthropic', operation: p.replace(/\//g, '.'), model: 'body' })),
  { method: 'POST', path: '[/anthropic]/v1/messages/batches', api: 'anthropic', operation: 'messages.batches', model: 'batch_requests' },
  { method: 'POST', path: GEMINI, api: 'gemini', operation: 'models.action', model: 'path' },
  { method: 'POST', path: VERTEX, api: 'vertex', operation: 'models.action', model: 'path' },
  // Endpoints that run no model: listing models, reading and cancelling stored work, files.
  ...[`${OPENAI}/models`, `${OPENAI}/models/{id}`, `${OPENAI}/batches`, `${OPENAI}/batches/{id}`, `${OPENAI}/files`,
    `${OPENAI}/files/{id}`, `${OPENAI}/files/{id}/content`, `${OPENAI}/responses/{id}`, `${OPENAI}/responses/{id}/input_items`,
    `${OPENAI}/fine_tuning/jobs`, `${OPENAI}/fine_tuning/jobs/{id}`, `${OPENAI}/fine_tuning/jobs/{id}/events`,
    '[/anthropic]/v1/messages/batches', '[/anthropic]/v1/messages/batches/{id}', '[/anthropic]/v1/messages/batches/{id}/results',
    '[/gemini]/{version}/models']
    .map((p): EndpointSpec => ({ method: 'GET', path: p, api: p.includes('anthropic') ? 'anthropic' : 'openai', operation: readOperation(p, 'GET') })),
  ...[`${OPENAI}/files`, `${OPENAI}/batches/{id}/cancel`, `${OPENAI}/responses/{id}/cancel`, `${OPENAI}/fine_tuning/jobs/{id}/cancel`,
    '[/anthropic]/v1/messages/batches/{id}/cancel']
    .map((p): EndpointSpec => ({ method: 'POST', path: p, api: p.includes('anthropic') ? 'anthropic' : 'openai', operation: readOperation(p, 'POST') })),
];

/** GET /files -> files.list, GET /files/{id} -> files.retrieve, GET /files/{id}/content -> files.content, POST /files -> files.create. */
function readOperation(path: string, method: 'GET' | 'POST'): string {
  const parts = path.replace(/\[[^\]]*\]/g, '').split('/').filter((s) => s !== '' && s !== '{version}');
  const named = parts.filter((s) => s !== '{id}').join('.');
  const last = parts[parts.length - 1];
  if (last === '{id}') return `${named}.retrieve`;
  if (parts.includes('{id}')) return named;
  return method === 'GET' ? `${named}.list` : `${named}.create`;
}
