import { z } from 'zod';
import { parseTokenBudget } from '../limits/periods.js';

/** Request and token limits enforced at decision time (docs/limits.md). */
const positiveInt = z.number().int().positive();

/** `N/PERIOD`: tokens per `1m`, `1h`, `1d`, `30d` or `1mo` (calendar month, UTC). */
export const tokenBudgetSchema = z.string().transform((text, ctx) => {
  const budget = parseTokenBudget(text);
  if (!budget) ctx.addIssue({ code: 'custom', message: 'a token budget is N/PERIOD with PERIOD one of 1m, 1h, 1d, 30d, 1mo' });
  return budget ?? z.NEVER;
});

/** A glob (`*`, `?`) on one caller attribute; every field given must match. */
const matchSchema = z.strictObject({
  subject: z.string().min(1).optional(),
  group: z.string().min(1).optional(),
  key_id: z.string().min(1).optional(),
  tenant: z.string().min(1).optional(),
  /** Applies when any model the request can run matches (or when it may run a model it does not name). */
  model: z.string().min(1).optional(),
});

export const limitRuleSchema = z.strictObject({
  /** Names the rule's counters and its entry in input.limits; unique. */
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  match: matchSchema.prefault({}),
  /** false: each matching caller (identity id) has its own counters; true: every match shares one set. */
  shared: z.boolean().default(false),
  rpm: positiveInt.optional(),
  tpm: positiveInt.optional(),
  token_budget: tokenBudgetSchema.optional(),
}).refine((r) => r.rpm !== undefined || r.tpm !== undefined || r.token_budget !== undefined, { message: 'a limit rule sets rpm, tpm or token_budget' });

export const limitsSchema = z.strictObject({
  rules: z.array(limitRuleSchema).default([]).refine((rules) => new Set(rules.map((r) => r.name)).size === rules.length, { message: 'limit rule names must be unique' }),
  /** Completion tokens reserved when the request sets no max_tokens / max_completion_tokens / max_output_tokens. */
  default_max_tokens: positiveInt.default(4096),
  /** Per-model override of default_max_tokens: model glob -> tokens (first match wins). */
  model_max_tokens: z.record(z.string().min(1), positiveInt).default({}),
  /** A reservation with no outcome report is charged at its reserved size after this long. */
  reservation_ttl_ms: positiveInt.default(600_000),
  /** With usage.redis_url: what a decision does while Redis is down or slower than redis_timeout_ms. */
  on_store_failure: z.enum(['fail_closed', 'local_fallback']).default('fail_closed'),
  /** local_fallback divides every limit by this (the number of Tollgate replicas sharing the Redis). */
  replicas: positiveInt.default(1),
  redis_timeout_ms: positiveInt.default(250),
  key_prefix: z.string().default('tollgate:limits:'),
  /** In-memory counters kept (least recently used forgotten). */
  max_counters: positiveInt.default(100_000),
});

export type LimitsConfig = z.infer<typeof limitsSchema>;
export type LimitRule = z.infer<typeof limitRuleSchema>;
