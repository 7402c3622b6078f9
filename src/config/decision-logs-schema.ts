import { z } from 'zod';

const positiveInt = z.number().int().positive();

/** Decision events uploaded to an OPA-compatible decision-log collector; off while url is null. */
export const decisionLogsSchema = z.strictObject({
  /** The collector's endpoint (OPA's `<service url>/logs`): https, or http to loopback. */
  url: z.string().regex(/^https?:\/\//).nullable().default(null),
  headers: z.record(z.string(), z.string()).default({}),
  /** File holding a bearer token, re-read on every upload. */
  token_file: z.string().nullable().default(null),
  /** Added to every event's labels, beside `id` (this instance) and `version`. */
  labels: z.record(z.string(), z.string()).default({}),
  /** One upload's JSON array, before gzip; a larger single event goes alone. */
  max_batch_bytes: positiveInt.default(1024 * 1024),
  /** Events waiting for upload; past it the oldest are dropped and counted (tollgate_decision_logs_dropped_total). */
  max_buffer_records: positiveInt.default(10_000),
  flush_interval_ms: positiveInt.default(1000),
  /** After a failed upload: this delay, doubling per failure up to max_retry_delay_ms. */
  min_retry_delay_ms: positiveInt.default(100),
  max_retry_delay_ms: positiveInt.default(30_000),
  timeout_ms: positiveInt.default(10_000),
});

export type DecisionLogsConfig = z.infer<typeof decisionLogsSchema>;
