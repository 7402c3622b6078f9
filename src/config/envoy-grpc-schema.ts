import { z } from 'zod';

const positiveInt = z.number().int().positive();

const keepaliveSchema = z.strictObject({
  /** Ping an idle gateway connection this often, so dead peers behind NAT or LBs are noticed. */
  time_ms: positiveInt.default(60_000),
  /** Close the connection when a ping is not answered within this time. */
  timeout_ms: positiveInt.default(20_000),
});

/** Envoy ext_authz over gRPC (Envoy, Istio), listening on server.grpc_port. */
export const envoyGrpcSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Largest CheckRequest Tollgate decides on (the body is inside it); larger ones get a 413 deny. */
  max_receive_bytes: positiveInt.max(256 * 1024 * 1024).default(8 * 1024 * 1024),
  keepalive: keepaliveSchema.prefault({}),
});
