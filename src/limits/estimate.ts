import type { AuthzRequest, LlmFacts } from '../core/types.js';
import { globRegExp } from './applicable.js';

/** Tokens reserved at decision time for one model call. */
export interface TokenEstimate {
  prompt: number;
  completion: number;
  total: number;
}

/**
 * prompt: the body's bytes / 4 (rounded up; the JSON around the prompt makes it an over-estimate for
 * English). completion: the request's own cap (max_tokens, max_completion_tokens, max_output_tokens),
 * else the configured default of the models it can run (the largest, when fallbacks differ).
 */
export class TokenEstimator {
  private readonly perModel: Array<[RegExp, number]>;

  constructor(private readonly defaultMaxTokens: number, modelMaxTokens: Record<string, number>) {
    this.perModel = Object.entries(modelMaxTokens).map(([glob, tokens]) => [globRegExp(glob), tokens]);
  }

  estimate(req: AuthzRequest, llm: LlmFacts): TokenEstimate {
    const prompt = Math.ceil(bodyBytes(req) / 4);
    const completion = llm.maxTokens !== null && llm.maxTokens > 0 ? Math.ceil(llm.maxTokens) : this.defaultFor(llm);
    return { prompt, completion, total: Math.max(1, prompt + completion) };
  }

  private defaultFor(llm: LlmFacts): number {
    if (llm.models.length === 0 || llm.modelUnknown) return Math.max(this.defaultMaxTokens, ...this.perModel.map(([, n]) => n));
    return Math.max(...llm.models.map((m) => this.perModel.find(([re]) => re.test(m))?.[1] ?? this.defaultMaxTokens));
  }
}

function bodyBytes(req: AuthzRequest): number {
  if (req.rawBody !== undefined) return Buffer.byteLength(req.rawBody);
  if (req.body === undefined || req.body === null) return 0;
  return Buffer.byteLength(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
}
