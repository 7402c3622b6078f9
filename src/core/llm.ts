import type { Endpoint } from './endpoint-catalogue.js';
import type { EndpointMatcher } from './endpoints.js';
import { TollgateError } from './errors.js';
import { findingsIn } from './findings/findings.js';
import { isObject } from './is-object.js';
import { checkedModelName, modelsInBody } from './model-names.js';
import { readRequestBody } from './request-body.js';
import { normaliseRequestPath } from './request-path.js';
import type { AuthzRequest, LlmFacts } from './types.js';

export interface LlmReading {
  endpoints: EndpointMatcher;
  /**
   * LiteLLM runs fallback models named in the body; when the body is not forwarded (forward-auth,
   * Envoy without with_request_body) a path-named model is then not the only one that may run.
   */
  upstreamReadsFallbacks: boolean;
}

/** Facts of a request that names no endpoint Tollgate knows (or was never read). */
export function unknownEndpointFacts(path: string | null): LlmFacts {
  return {
    path, endpointKnown: false, api: null, operation: null, modelCall: false, model: null, models: [], modelUnknown: false,
    stream: false, maxTokens: null, tools: [], messageCount: 0, findings: [],
  };
}

/**
 * Reads what the upstream will execute: the endpoint (method + normalised path), and for a model
 * call every model it can run. Throws a TollgateError when the request can be read two ways
 * (ambiguous path, unreadable body, invalid model name, body contradicting the path).
 */
export function readLlmFacts(req: AuthzRequest, reading: LlmReading): LlmFacts {
  const { path, segments } = normaliseRequestPath(req.path);
  const endpoint = reading.endpoints.match(req.method, segments);
  if (!endpoint) return unknownEndpointFacts(path);
  const facts: LlmFacts = { ...unknownEndpointFacts(path), endpointKnown: true, api: endpoint.api, operation: endpoint.operation };
  if (!endpoint.modelCall) return facts;
  facts.modelCall = true;
  const body = readRequestBody(req);
  const fields = body.kind === 'fields' ? body.fields : undefined;
  const { models, unknown } = fields ? modelsOf(endpoint, fields, req.query) : modelsWithoutBody(endpoint, req, reading.upstreamReadsFallbacks);
  facts.models = models;
  facts.model = models[0] ?? null;
  facts.modelUnknown = unknown;
  if (fields) {
    facts.stream = fields.stream === true;
    facts.maxTokens = firstNumber(fields.max_tokens, fields.max_completion_tokens, fields.max_output_tokens, fields.max_tokens_to_sample);
    facts.tools = toolNames(fields);
    facts.messageCount = Array.isArray(fields.messages) ? fields.messages.length : Array.isArray(fields.input) ? fields.input.length : 0;
    facts.findings = findingsIn([fields]);
  }
  return facts;
}

interface ModelReading {
  models: string[];
  /** A model the request does not name may run. */
  unknown: boolean;
}

function modelsOf(endpoint: Endpoint, fields: Record<string, unknown>, query: string): ModelReading {
  switch (endpoint.modelSource) {
    case 'path': {
      const model = pathModel(endpoint, fields.model);
      return { models: [...new Set([model, ...modelsInBody(fields)])], unknown: false };
    }
    case 'query':
      return { models: [checkedModelName(queryModel(query), 'the query')], unknown: false };
    case 'batch_requests':
      return batchModels(fields);
    case 'unknown':
      return { models: modelsInBody(fields), unknown: true };
    default:
      return { models: modelsInBody(fields), unknown: fields.model === undefined && fields.target_model_names === undefined };
  }
}

/**
 * The body was not forwarded (forward-auth, Envoy without with_request_body) or is opaque: only the
 * path, the query or a proxy's model header name a model, and an upstream that runs fallbacks
 * named in the body may run others.
 */
function modelsWithoutBody(endpoint: Endpoint, req: AuthzRequest, upstreamReadsFallbacks: boolean): ModelReading {
  const declared = req.declaredModel === undefined ? undefined : checkedModelName(req.declaredModel.trim(), 'the model header');
  switch (endpoint.modelSource) {
    case 'path':
      return { models: [pathModel(endpoint, declared)], unknown: upstreamReadsFallbacks };
    case 'query':
      return { models: [checkedModelName(queryModel(req.query), 'the query')], unknown: false };
    case 'body':
      return declared ? { models: [declared], unknown: upstreamReadsFallbacks } : { models: [], unknown: true };
    default:
      return { models: declared ? [declared] : [], unknown: true };
  }
}

/** The path's model; another model named beside it (body or header) is a contradiction the upstream resolves its own way. */
function pathModel(endpoint: Endpoint, named: unknown): string {
  const model = checkedModelName(endpoint.pathModel ?? '', 'the path');
  if (named !== undefined && named !== model) {
    throw new TollgateError('ERR_MODEL_MISMATCH', 'the request names a model other than the one the path runs');
  }
  return model;
}

/** Anthropic message batches: each request's params name its model. */
function batchModels(fields: Record<string, unknown>): ModelReading {
  if (!Array.isArray(fields.requests)) throw new TollgateError('ERR_BODY_UNREADABLE', 'a message batch must carry a requests list');
  const models = new Set<string>();
  let unknown = false;
  for (const request of fields.requests) {
    const params = isObject(request) ? request.params : undefined;
    if (!isObject(params)) throw new TollgateError('ERR_BODY_UNREADABLE', 'a batch request has no params object');
    for (const m of modelsInBody(params)) models.add(m);
    if (params.model === undefined) unknown = true;
  }
  return { models: [...models], unknown };
}

/** The one `model` query parameter; naming it twice reads two ways. */
function queryModel(query: string): string {
  // LiteLLM looks the parameter up case-insensitively: `Model=` names the model too.
  const values = [...new URLSearchParams(query)].filter(([name]) => name.toLowerCase() === 'model').map(([, value]) => value);
  if (values.length > 1) throw new TollgateError('ERR_MODEL_INVALID', 'the query names the model more than once');
  return values[0] ?? '';
}

/** Tool names from OpenAI `tools`/`functions`, Anthropic `tools`, and Responses API built-in tools (by type). */
function toolNames(b: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const list of [b.tools, b.functions]) {
    if (!Array.isArray(list)) continue;
    for (const tool of list) {
      if (!isObject(tool)) continue;
      const fn = isObject(tool.function) ? tool.function : undefined;
      const name = fn?.name ?? tool.name ?? tool.type;
      if (typeof name === 'string' && name !== '') names.push(name);
    }
  }
  return names;
}

function firstNumber(...values: unknown[]): number | null {
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) return v;
  return null;
}

