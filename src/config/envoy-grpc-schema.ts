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
  /**
   * Calls one gateway connection may have open at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS);
   * Envoy opens another connection past it. Bounds what one connection holds: up to twice
   * max_receive_bytes per call still being read.
   */
  max_concurrent_streams: positiveInt.max(2 ** 32 - 1).default(100),
  /**
   * Time a call's request has to arrive in full; a Check still arriving then is an audited 400 deny.
   * Envoy sends a whole CheckRequest at once, so only a stalled or hostile peer takes longer.
   */
  read_timeout_ms: positiveInt.max(600_000).default(5000),
});
