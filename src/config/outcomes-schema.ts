import { z } from 'zod';

const positiveInt = z.number().int().positive();

/** Per-subject usage counters that outcomes feed and policy reads as input.usage. */
export const usageSchema = z.strictObject({
  /** redis://... shares the counters between replicas; null = in-process counters. */
  redis_url: z.string().regex(/^rediss?:\/\//).nullable().default(null),
  key_prefix: z.string().default('tollgate:usage:'),
  /** Per-command Redis limit; past it the decision is a deny (fail closed), not a stall. */
  redis_timeout_ms: positiveInt.default(250),
  /** In-process counters keep this many subjects; the least recently used are forgotten. */
  max_subjects: positiveInt.default(100_000),
});

/** POST /v1/outcomes: what the gateway reports after each allowed call. */
export const outcomesSchema = z.strictObject({
  /** Shared secret gateway hooks send in x-tollgate-hook-token (env TOLLGATE_HOOK_TOKEN); null = endpoint off. */
  hook_token: z.string().min(16).nullable().default(null),
  /** Recent allowed decisions remembered (LRU), so an outcome record carries the caller. */
  remember_decisions: positiveInt.default(50_000),
  /** Reported decision ids remembered, so a repeated report is counted once. */
  remember_outcomes: positiveInt.default(50_000),
  /** LiteLLM's generic webhook sends batches that include prompts and responses. */
  max_body_bytes: positiveInt.default(8 * 1024 * 1024),
  /** Entries in one webhook batch; a larger batch is a 413 (recording one stalls nothing: it yields as it goes). */
  max_batch_entries: positiveInt.default(1000),
});

export type UsageConfig = z.infer<typeof usageSchema>;
export type OutcomesConfig = z.infer<typeof outcomesSchema>;
