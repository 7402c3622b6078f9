import { z } from 'zod';
import { adaptersSchema } from './adapters-schema.js';
import { identitySchema } from './identity-schema.js';
import { limitsSchema } from './limits-schema.js';
import { outcomesSchema, usageSchema } from './outcomes-schema.js';
import { extraEndpointSchema } from './endpoints-schema.js';
import { policySchema } from './policy-schema.js';
import { decisionLogsSchema } from './decision-logs-schema.js';

export { policySchema } from './policy-schema.js';
import { mcpSchema } from './mcp-schema.js';

/** One schema is the type, the defaults and the check. Unknown keys are rejected everywhere. */
const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().positive();

export const serverSchema = z.strictObject({
  host: z.string().default('0.0.0.0'),
  http_port: port.default(8181),
  grpc_port: port.default(9191),
  admin_port: port.default(8282),
  /** The admin port (metrics, policy reload) listens on loopback unless told otherwise (probes from a kubelet need 0.0.0.0). */
  admin_host: z.string().default('127.0.0.1'),
  /** File holding the bearer token admin mutations (policy reload) require; null = only allowed on a loopback admin_host. */
  admin_token_file: z.string().nullable().default(null),
  /** Largest request body the authorization API reads (prompts can be large). */
  max_body_bytes: positiveInt.default(1024 * 1024),
  /** Largest total size of request headers node:http accepts; larger gets 431 before any handler runs. */
  max_header_bytes: positiveInt.default(32 * 1024),
  /** How long SIGTERM waits for in-flight requests before exiting. */
  shutdown_timeout_ms: positiveInt.default(10_000),
  /** Processes serving 8181/9191 (node:cluster); 1 = one process, no cluster; auto = os.availableParallelism(). */
  workers: z.union([z.literal('auto'), z.number().int().min(1).max(256)]).default(1),
});

export const keysSchema = z.strictObject({
  /** YAML file written by `tollgate keys`; null = no API keys. */
  file: z.string().nullable().default(null),
  poll_interval_ms: positiveInt.default(500),
});

export const logSchema = z.strictObject({
  level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  /** Decision records go to stdout; also to this file when set. */
  audit_file: z.string().nullable().default(null),
  /** While a record cannot be written (disk full, stdout backed up), every decision is a 503 audit_unavailable deny. */
  audit_fail_closed: z.boolean().default(false),
  /** Bytes of records an audit destination may have waiting; past it records are dropped and counted, so memory stays bounded. */
  audit_buffer_bytes: positiveInt.min(65_536).default(4 * 1024 * 1024),
  /** Decision records carry the policy input (credentials already removed, prompt text never): what `tollgate policy replay` re-evaluates. */
  include_input: z.boolean().default(false),
});

export const upstreamSchema = z.strictObject({
  /** Ask the gateway to remove the caller's credential header, so the model provider never sees the caller's key. */
  remove_credential_headers: z.boolean().default(false),
  /**
   * The upstream (LiteLLM) runs fallback models named in the request body. Then a model named by
   * the path alone is not the only model that may run when the body is not forwarded.
   */
  body_fallbacks: z.boolean().default(true),
  /** Endpoints the upstream serves beyond the built-in catalogue; any other endpoint is unknown (denied by the default policy). */
  endpoints: z.array(extraEndpointSchema).default([]),
});

export const configSchema = z.strictObject({
  server: serverSchema.prefault({}),
  policy: policySchema.prefault({}),
  keys: keysSchema.prefault({}),
  log: logSchema.prefault({}),
  upstream: upstreamSchema.prefault({}),
  identity: identitySchema.prefault({}),
  usage: usageSchema.prefault({}),
  outcomes: outcomesSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  adapters: adaptersSchema.prefault({}),
  decision_logs: decisionLogsSchema.prefault({}),
  mcp: mcpSchema.prefault({}),
});

export type TollgateConfig = z.infer<typeof configSchema>;
export type KeysConfig = z.infer<typeof keysSchema>;
