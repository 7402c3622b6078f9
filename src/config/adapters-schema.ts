import { z } from 'zod';
import { authzenSchema } from './authzen-schema.js';
import { envoyGrpcSchema } from './envoy-grpc-schema.js';
import { proxyListSchema } from './proxy-list-schema.js';

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name').transform((h) => h.toLowerCase());

export const envoyHttpSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Envoy's http_service.path_prefix: check requests arrive at <prefix><original path>. */
  path_prefix: z.string().regex(/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/, 'a path like /ext_authz (no trailing slash)').default('/ext_authz'),
});

export const forwardAuthSchema = z.strictObject({
  enabled: z.boolean().default(true),
  path: z.string().regex(/^\/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$/, 'a path like /forward-auth (no trailing slash)').default('/forward-auth'),
  /**
   * A forward-auth call has no body. When set, this header names the model for model calls whose
   * path carries none; the proxy must set it itself (overwriting any client value).
   */
  model_header: headerName.nullable().default(null),
  /**
   * Which proxy calls: only its headers name the original request (nginx: X-Original-*; Traefik
   * and Caddy: X-Forwarded-*). Caddy's and Traefik's are built in, so they are the default; the
   * shipped nginx config sets both families itself, so it is safe and works under either.
   */
  dialect: z.enum(['nginx', 'traefik', 'caddy']).default('caddy'),
});

export const dataApiSchema = z.strictObject({
  /**
   * OPA-compatible POST/GET /v1/data/<entrypoint> on the raw input (tools, OPA clients). Off by
   * default: it authenticates nobody, so a caller can send any `input.identity` and get policy's
   * answer for it. Its answers are recorded as evaluations, never as allows.
   */
  enabled: z.boolean().default(false),
});

export const kongSchema = z.strictObject({
  /** POST /v1/data/tollgate/kong: Kong's OPA plugin input through the full pipeline. */
  enabled: z.boolean().default(true),
});

/** The gateway dialects: HTTP ones on server.http_port (docs/gateways/*.md), Envoy gRPC on server.grpc_port. */
export const adaptersSchema = z.strictObject({
  /**
   * Proxies (addresses or CIDRs) whose X-Forwarded-For the HTTP adapters believe; empty = the TCP
   * peer is the client. Separate from identity.mtls.trusted_proxies: a forward-auth proxy passes
   * client headers through, so trusting it for x-forwarded-client-cert would let a client forge a
   * workload identity.
   */
  trusted_proxies: proxyListSchema,
  envoy_http: envoyHttpSchema.prefault({}),
  forward_auth: forwardAuthSchema.prefault({}),
  data_api: dataApiSchema.prefault({}),
  kong: kongSchema.prefault({}),
  /** The AuthZEN Authorization API 1.0 PDP (docs/authzen.md). */
  authzen: authzenSchema.prefault({}),
  /** Envoy ext_authz over gRPC, on server.grpc_port; the top-level `envoy_grpc` key is a deprecated alias. */
  envoy_grpc: envoyGrpcSchema.prefault({}),
});

export type AdaptersConfig = z.infer<typeof adaptersSchema>;
