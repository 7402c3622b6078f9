import path from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { TollgateError } from '../../core/errors.js';
import { packageRoot } from '../../paths.js';
import { requestMalformed } from '../http/malformed.js';

/** A CheckRequest that could not be read; the handler still answers it with an audited deny. */
export class UndecodableRequest {
  constructor(readonly error: TollgateError) {}
}

/**
 * Loads the Authorization and Health services from proto/. The Check deserializer never throws:
 * grpc-js would answer a throwing one with a gRPC error, which Envoy's failure_mode_allow could
 * turn into an allow.
 */
export function loadServices(maxCheckBytes: number): { authorization: ServiceDefinition; health: ServiceDefinition } {
  const definitions = loadSync(['envoy/service/auth/v3/external_auth.proto', 'grpc/health/v1/health.proto'], {
    includeDirs: [path.join(packageRoot(), 'proto')],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const authorization = definitions['envoy.service.auth.v3.Authorization'] as unknown as Record<string, MethodDefinition<object, object>>;
  const check = authorization.Check;
  return {
    authorization: { Check: { ...check, requestDeserialize: tolerantDeserialize(check.requestDeserialize, maxCheckBytes) } } as unknown as ServiceDefinition,
    health: definitions['grpc.health.v1.Health'] as unknown as ServiceDefinition,
  };
}

function tolerantDeserialize(deserialize: (bytes: Buffer) => object, maxBytes: number): (bytes: Buffer) => object {
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
