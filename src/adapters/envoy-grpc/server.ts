import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { Logger } from 'winston';
import type { Pipeline } from '../../core/pipeline.js';
import type { Decision } from '../../core/types.js';
import { decideOrReject } from '../http/decide.js';
import { decodeCheckRequest, peerAddress } from './decode.js';
import { encodeCheckResponse, internalErrorResponse } from './encode.js';
import { HealthService } from './health.js';
import type { CheckRequestMessage, CheckResponseMessage } from './messages.js';
import { loadServices, UndecodableRequest } from './services.js';

export interface EnvoyGrpcServerOptions {
  host: string;
  port: number;
  /** Largest CheckRequest decided on; larger ones get a 413 deny. */
  maxReceiveBytes: number;
  keepalive: { time_ms: number; timeout_ms: number };
  policyLoaded: () => boolean;
  log: Logger;
}

/**
 * Messages up to this multiple of max_receive_bytes are still read, so an oversized prompt gets a
 * 413 deny rather than a gRPC error; beyond it grpc-js refuses the message before buffering it.
 */
const OVERSIZE_READ_FACTOR = 2;

type CheckCall = ServerUnaryCall<CheckRequestMessage | UndecodableRequest, CheckResponseMessage>;

/** Envoy ext_authz v3 over gRPC, plus grpc.health.v1, on server.grpc_port. */
export class EnvoyGrpcServer {
  private readonly server: Server;
  private readonly health: HealthService;

  constructor(private readonly pipeline: Pipeline, private readonly options: EnvoyGrpcServerOptions) {
    const { keepalive } = options;
    this.server = new Server({
      'grpc.max_receive_message_length': options.maxReceiveBytes * OVERSIZE_READ_FACTOR,
      'grpc.keepalive_time_ms': keepalive.time_ms,
      'grpc.keepalive_timeout_ms': keepalive.timeout_ms,
      // Channelz's per-call counters and traces serve a debugging service Tollgate does not expose.
      'grpc.enable_channelz': 0,
    });
    const services = loadServices(options.maxReceiveBytes);
    this.health = new HealthService(options.policyLoaded);
    this.server.addService(services.authorization, { Check: (call: CheckCall, cb: sendUnaryData<CheckResponseMessage>) => void this.check(call, cb) });
    this.server.addService(services.health, this.health.implementation);
  }

  /** Resolves with the bound port (port 0 picks a free one). */
  listen(): Promise<number> {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`${host}:${this.options.port}`, ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
    });
  }

  /** Health turns NOT_SERVING, in-flight checks finish, and after timeoutMs the rest are cut. */
  close(timeoutMs: number): Promise<void> {
    this.health.shutdown();
    return new Promise((resolve) => {
      const deadline = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, timeoutMs);
      this.server.tryShutdown(() => {
        clearTimeout(deadline);
        resolve();
      });
    });
  }

  private async check(call: CheckCall, callback: sendUnaryData<CheckResponseMessage>): Promise<void> {
    let response: CheckResponseMessage;
    try {
      response = encodeCheckResponse(await this.decide(call.request, peerAddress(call.getPeer())));
    } catch (err) {
      this.options.log.error('ext_authz check failed; answering a deny', { error: (err as Error).message });
      response = internalErrorResponse();
    }
    callback(null, response);
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
