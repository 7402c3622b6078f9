import type { Logger } from 'winston';
import type { Pipeline } from '../../core/pipeline.js';
import type { Decision } from '../../core/types.js';
import { decideOrReject } from '../http/decide.js';
import { decodeCheckRequest } from './decode.js';
import { encodeCheckResponse, internalErrorResponse } from './encode.js';
import type { GrpcCall } from './grpc-call.js';
import { GrpcServer, type GrpcMethod } from './grpc-server.js';
import type { CallRefused } from './request-reader.js';
import { GrpcStatus } from './wire.js';
import { TollgateError } from '../../core/errors.js';
import { requestMalformed } from '../http/malformed.js';
import { HealthService, type HealthCheckRequest } from './health.js';
import type { CheckRequestMessage } from './messages.js';
import { loadCodecs, UndecodableRequest, type Codec } from './services.js';

export interface EnvoyGrpcServerOptions {
  host: string;
  port: number;
  /** Largest CheckRequest decided on; larger ones get a 413 deny. */
  maxReceiveBytes: number;
  keepalive: { time_ms: number; timeout_ms: number };
  /** Calls one connection may have open at once. */
  maxConcurrentStreams: number;
  /** Time a Check has to arrive in full; later it is a 400 deny. */
  readTimeoutMs: number;
  policyLoaded: () => boolean;
  log: Logger;
}

/**
 * Messages up to this multiple of max_receive_bytes are still read, so an oversized prompt gets a
 * 413 deny rather than a gRPC error; beyond it the message is refused before it is buffered.
 */
const OVERSIZE_READ_FACTOR = 2;

/** Envoy ext_authz v3 over gRPC, plus grpc.health.v1, on server.grpc_port. */
export class EnvoyGrpcServer {
  private readonly server: GrpcServer;
  private readonly health: HealthService;

  constructor(private readonly pipeline: Pipeline, private readonly options: EnvoyGrpcServerOptions) {
    const codecs = loadCodecs(options.maxReceiveBytes);
    this.health = new HealthService(options.policyLoaded);
    const method = (codec: Codec, handle: (call: GrpcCall, request: never) => void): GrpcMethod => ({ ...codec, handle: handle as GrpcMethod['handle'] });
    const methods = new Map<string, GrpcMethod>([
      [codecs.check.path, { ...method(codecs.check, (call, request: CheckRequestMessage | UndecodableRequest) => void this.check(call, request)), refused: undecodableCheck }],
      [codecs.healthCheck.path, method(codecs.healthCheck, (call, request: HealthCheckRequest) => this.health.check(call, request))],
      [codecs.healthList.path, method(codecs.healthList, (call) => this.health.list(call))],
      [codecs.healthWatch.path, method(codecs.healthWatch, (call, request: HealthCheckRequest) => this.health.watch(call, request))],
    ]);
    this.server = new GrpcServer(methods, {
      maxReceiveBytes: options.maxReceiveBytes * OVERSIZE_READ_FACTOR,
      keepalive: options.keepalive,
      maxConcurrentStreams: options.maxConcurrentStreams,
      readTimeoutMs: options.readTimeoutMs,
      onError: (err) => options.log.error('gRPC listener error', { error: err.message }),
    });
  }

  /** Resolves with the bound port (port 0 picks a free one). */
  listen(): Promise<number> {
    return this.server.listen(this.options.host, this.options.port);
  }

  /** Health turns NOT_SERVING, in-flight checks finish, and after timeoutMs the rest are cut. */
  close(timeoutMs: number): Promise<void> {
    this.health.shutdown();
    return this.server.close(timeoutMs);
  }

  /**
   * Always answers a CheckResponse: a failure inside, encoding included (reply serializes before it
   * sends anything), becomes a deny, never a gRPC error.
   */
  private async check(call: GrpcCall, request: CheckRequestMessage | UndecodableRequest): Promise<void> {
    try {
      call.reply(encodeCheckResponse(await this.decide(request, call.peer)));
    } catch (err) {
      this.options.log.error('ext_authz check failed; answering a deny', { error: (err as Error).message });
      call.reply(internalErrorResponse());
    }
  }

  private async decide(request: CheckRequestMessage | UndecodableRequest, peer: string | undefined): Promise<Decision> {
    const http = request instanceof UndecodableRequest ? undefined : request.attributes?.request?.http;
    const line = { method: http?.method || undefined, target: http?.path || undefined, peer };
    const { decision } = await decideOrReject(this.pipeline, 'envoy_grpc', line, () => {
      if (request instanceof UndecodableRequest) throw request.error;
      return decodeCheckRequest(request, peer);
    });
    return decision;
  }
}

/** A Check the transport could not read is still an audited deny: 413 when it was too large, else 400. */
function undecodableCheck(refusal: CallRefused): UndecodableRequest {
  const error = refusal.code === GrpcStatus.RESOURCE_EXHAUSTED
    ? new TollgateError('ERR_REQUEST_TOO_LARGE', `CheckRequest refused: ${refusal.message}`)
    : requestMalformed(`CheckRequest refused: ${refusal.message}`);
  return new UndecodableRequest(error);
}
