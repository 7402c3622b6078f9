import type { LlmFacts } from './types.js';

/** Known LLM API paths: OpenAI-style (also without /v1 as LiteLLM serves them), Anthropic, Azure deployments. */
const OPENAI_OPERATIONS: Array<[RegExp, string, boolean]> = [
  [/^(?:\/openai)?(?:\/v1)?\/chat\/completions$/, 'chat.completions', true],
  [/^(?:\/openai)?(?:\/v1)?\/completions$/, 'completions', true],
  [/^(?:\/openai)?(?:\/v1)?\/embeddings$/, 'embeddings', true],
  [/^(?:\/openai)?(?:\/v1)?\/responses$/, 'responses', true],
  [/^(?:\/openai)?(?:\/v1)?\/moderations$/, 'moderations', true],
  [/^(?:\/openai)?(?:\/v1)?\/images\/(?:generations|edits|variations)$/, 'images', true],
  [/^(?:\/openai)?(?:\/v1)?\/audio\/(?:speech|transcriptions|translations)$/, 'audio', true],
  [/^(?:\/openai)?(?:\/v1)?\/models(?:\/[^/]+)?$/, 'models.list', false],
];
const ANTHROPIC_OPERATIONS: Array<[RegExp, string, boolean]> = [
  [/^(?:\/anthropic)?\/v1\/messages$/, 'messages', true],
  [/^(?:\/anthropic)?\/v1\/messages\/count_tokens$/, 'messages.count_tokens', true],
  [/^(?:\/anthropic)?\/v1\/complete$/, 'completions', true],
];
const AZURE_DEPLOYMENT = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings|images\/generations|audio\/[a-z]+)$/;

const NO_FACTS: LlmFacts = Object.freeze({
  api: null, operation: null, modelCall: false, model: null, stream: false, maxTokens: null, tools: [], messageCount: 0,
}) as LlmFacts;

/** Reads the facts policy needs from an LLM API request. Never throws: unknown shapes yield fewer facts. */
export function readLlmFacts(path: string, body: unknown): LlmFacts {
  const azure = AZURE_DEPLOYMENT.exec(path);
  if (azure) {
    const facts = factsFromBody('azure', azure[2].replace('/', '.'), true, body);
    facts.model = facts.model ?? safeDecode(azure[1]);
    return facts;
  }
  for (const [pattern, operation, modelCall] of ANTHROPIC_OPERATIONS) {
    if (pattern.test(path)) return factsFromBody('anthropic', operation, modelCall, body);
  }
  for (const [pattern, operation, modelCall] of OPENAI_OPERATIONS) {
    if (pattern.test(path)) return factsFromBody('openai', operation, modelCall, body);
  }
  return { ...NO_FACTS, tools: [] };
}

function factsFromBody(api: LlmFacts['api'], operation: string, modelCall: boolean, body: unknown): LlmFacts {
  const b = isObject(body) ? body : {};
  return {
    api,
    operation,
    modelCall,
    model: typeof b.model === 'string' && b.model !== '' ? b.model : null,
    stream: b.stream === true,
    maxTokens: firstNumber(b.max_tokens, b.max_completion_tokens, b.max_output_tokens, b.max_tokens_to_sample),
    tools: toolNames(b),
    messageCount: Array.isArray(b.messages) ? b.messages.length : Array.isArray(b.input) ? b.input.length : 0,
  };
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

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
