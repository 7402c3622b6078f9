import path from 'node:path';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { TollgateError } from '../../core/errors.js';
import { packageRoot } from '../../paths.js';
import { requestMalformed } from '../http/malformed.js';

/** A CheckRequest that could not be read; the handler still answers it with an audited deny. */
export class UndecodableRequest {
  constructor(readonly error: TollgateError) {}
}

export interface Codec {
  deserialize(bytes: Buffer): unknown;
  serialize(message: unknown): Uint8Array;
}

/** gRPC paths -> request/response codecs of the methods Tollgate serves, from proto/. */
export type Codecs = Record<'check' | 'healthCheck' | 'healthList' | 'healthWatch', Codec & { path: string }>;

/**
 * The Check deserializer never throws: a gRPC error answer could be turned into an allow by
 * Envoy's failure_mode_allow, so an unreadable CheckRequest becomes an audited deny instead.
 */
export function loadCodecs(maxCheckBytes: number): Codecs {
  const definitions = loadSync(['envoy/service/auth/v3/external_auth.proto', 'grpc/health/v1/health.proto'], {
    includeDirs: [path.join(packageRoot(), 'proto')],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const method = (service: string, name: string): Codec & { path: string } => {
    const m = (definitions[service] as unknown as Record<string, MethodDefinition<unknown, unknown>>)[name];
    return { path: m.path, deserialize: m.requestDeserialize, serialize: m.responseSerialize };
  };
  const check = method('envoy.service.auth.v3.Authorization', 'Check');
  return {
    check: { ...check, deserialize: tolerantDeserialize(check.deserialize, maxCheckBytes) },
    healthCheck: method('grpc.health.v1.Health', 'Check'),
    healthList: method('grpc.health.v1.Health', 'List'),
    healthWatch: method('grpc.health.v1.Health', 'Watch'),
  };
}

function tolerantDeserialize(deserialize: (bytes: Buffer) => unknown, maxBytes: number): (bytes: Buffer) => unknown {
  return (bytes) => {
    if (bytes.length > maxBytes) {
      return new UndecodableRequest(new TollgateError('ERR_REQUEST_TOO_LARGE', `CheckRequest of ${bytes.length} bytes exceeds envoy_grpc.max_receive_bytes (${maxBytes})`));
    }
    try {
      return deserialize(bytes);
    } catch (err) {
      return new UndecodableRequest(requestMalformed(`CheckRequest is not valid protobuf: ${(err as Error).message}`));
    }
  };
}
