/**
 * Keys that carry prompt or completion text in LLM request shapes. Tollgate's policy input has none
 * today (docs/policy-input.md), but an input extended later (tool arguments, gateway metadata) must
 * still never put a prompt into a decision record: any such key, at any depth, is left out.
 */
const PROMPT_KEYS = new Set(['messages', 'prompt', 'prompts', 'input', 'contents', 'system', 'instructions', 'body', 'raw_body', 'parsed_body', 'arguments', 'content', 'text']);

/** The policy input as log.include_input records it. */
export function recordedInput(input: Record<string, unknown>): Record<string, unknown> {
  return strip(input) as Record<string, unknown>;
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) if (!PROMPT_KEYS.has(key)) out[key] = strip(inner);
  return out;
}
