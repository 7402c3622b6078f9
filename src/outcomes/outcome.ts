import { isObject } from '../core/is-object.js';

/** What happened after an allowed decision, as a gateway reported it; gateway-neutral. */
export interface Outcome {
  decisionId: string;
  /**
   * 'tollgate': Tollgate's own shape, for gateways without a LiteLLM payload; 'litellm_webhook': a
   * StandardLoggingPayload, from the tollgate_litellm callback or LiteLLM's generic webhook.
   */
  format: 'tollgate' | 'litellm_webhook';
  callId: string | null;
  /** The model that answered, and the public model name (LiteLLM model group) it was reached through. */
  model: string | null;
  modelGroup: string | null;
  provider: string | null;
  status: 'success' | 'failure';
  error: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: number | null;
  /** Names of the tools the model asked to call; never their arguments. */
  toolCalls: string[];
  stream: boolean | null;
  durationMs: number | null;
  /**
   * Caller as the gateway reports it; used only when Tollgate does not remember the decision (another
   * replica made it, or it was forgotten). `principalId` is the decision's `identity.id`.
   */
  reported: { principalId: string | null; subject: string | null; tenant: string | null; keyAlias: string | null };
}

const DECISION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_TEXT = 512;
const MAX_TOOLS = 64;

/**
 * Tollgate's own shape: {decision_id, call_id?, model?, model_group?, provider?, status?, error?,
 * usage?: {prompt_tokens, completion_tokens, total_tokens}, cost_usd?, tool_calls?: [name], stream?,
 * duration_ms?, principal_id?, subject?, tenant?}. Returns null when the report names no valid decision id.
 */
export function outcomeFromTollgateShape(doc: Record<string, unknown>): Outcome | null {
  const decisionId = doc.decision_id;
  if (typeof decisionId !== 'string' || !DECISION_ID.test(decisionId)) return null;
  const usage = isObject(doc.usage) ? doc.usage : {};
  return withTotals({
    decisionId,
    format: 'tollgate',
    callId: text(doc.call_id),
    model: text(doc.model),
    modelGroup: text(doc.model_group),
    provider: text(doc.provider),
    status: doc.status === 'failure' ? 'failure' : 'success',
    error: text(doc.error),
    promptTokens: count(usage.prompt_tokens),
    completionTokens: count(usage.completion_tokens),
    totalTokens: count(usage.total_tokens),
    costUsd: amount(doc.cost_usd),
    toolCalls: names(doc.tool_calls),
    stream: typeof doc.stream === 'boolean' ? doc.stream : null,
    durationMs: amount(doc.duration_ms),
    reported: { principalId: text(doc.principal_id), subject: text(doc.subject), tenant: text(doc.tenant), keyAlias: null },
  });
}

/**
 * LiteLLM's StandardLoggingPayload, as the tollgate_litellm callback forwards it (one object) or the
 * generic webhook batches it (a JSON array): the one place its fields are read. The decision
 * id is the one the tollgate_litellm hook put in UserAPIKeyAuth.metadata; LiteLLM copies that into
 * the payload's metadata as user_api_key_auth_metadata (and, in some versions, user_api_key_metadata).
 */
export function outcomeFromStandardLoggingPayload(doc: Record<string, unknown>): Outcome | null {
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  const keyMetadata = [metadata.user_api_key_auth_metadata, metadata.user_api_key_metadata]
    .find((m): m is Record<string, unknown> => isObject(m) && typeof m.tollgate_decision_id === 'string' && DECISION_ID.test(m.tollgate_decision_id));
  if (!keyMetadata) return null;
  const decisionId = keyMetadata.tollgate_decision_id as string;
  const response = isObject(doc.response) ? doc.response : {};
  const started = amount(doc.startTime);
  const ended = amount(doc.endTime);
  return withTotals({
    decisionId,
    format: 'litellm_webhook',
    callId: text(doc.id),
    model: text(doc.model),
    modelGroup: text(doc.model_group),
    provider: text(doc.custom_llm_provider),
    status: doc.status === 'failure' ? 'failure' : 'success',
    error: doc.status === 'failure' ? text(doc.error_str) ?? 'failure' : null,
    promptTokens: count(doc.prompt_tokens),
    completionTokens: count(doc.completion_tokens),
    totalTokens: count(doc.total_tokens),
    costUsd: amount(doc.response_cost),
    toolCalls: toolCallNames(response),
    // LiteLLM logs a call that did not ask to stream with stream null.
    stream: doc.stream === true,
    durationMs: started !== null && ended !== null && ended >= started ? Math.round((ended - started) * 1000) : null,
    reported: {
      principalId: text(keyMetadata.tollgate_principal_id),
      subject: text(metadata.user_api_key_user_id), tenant: text(metadata.user_api_key_team_id),
      keyAlias: text(metadata.user_api_key_alias),
    },
  });
}

/** Tool names from an OpenAI chat completion, a Responses API result, or an Anthropic message. */
export function toolCallNames(response: Record<string, unknown>): string[] {
  const found: unknown[] = [];
  for (const choice of asList(response.choices)) {
    const message = isObject(choice) && isObject(choice.message) ? choice.message : {};
    for (const call of asList(message.tool_calls)) if (isObject(call) && isObject(call.function)) found.push(call.function.name);
  }
  for (const item of asList(response.output)) if (isObject(item) && item.type === 'function_call') found.push(item.name);
  for (const block of asList(response.content)) if (isObject(block) && block.type === 'tool_use') found.push(block.name);
  return names(found);
}

function withTotals(o: Outcome): Outcome {
  if (o.totalTokens === 0) o.totalTokens = o.promptTokens + o.completionTokens;
  return o;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_TEXT) : null;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function amount(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

function names(value: unknown): string[] {
  return asList(value).filter((n): n is string => typeof n === 'string' && n !== '').slice(0, MAX_TOOLS).map((n) => n.slice(0, 128));
}
