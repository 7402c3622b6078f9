import { existsSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { TollgateError } from '../../core/errors.js';
import { packageRoot } from '../../paths.js';
import { requestMalformed } from '../http/malformed.js';

/** A CheckRequest that could not be read; the handler still answers it with an audited deny. */
export class UndecodableRequest {
  constructor(readonly error: TollgateError) {}
}

export interface Codec {
  path: string;
  deserialize(bytes: Buffer): unknown;
  serialize(message: unknown): Uint8Array;
}

type Codecs = Record<'check' | 'healthCheck' | 'healthList' | 'healthWatch', Codec>;

/** What handlers read: snake_case names, enums as names, unset fields absent, the set oneof member only. */
const READ_OPTIONS: protobuf.IConversionOptions = { longs: String, enums: String, defaults: false, oneofs: true };

/**
 * The request/response codecs of the methods Tollgate serves, from proto/ (google/protobuf/* are
 * protobufjs's built-in copies).
 *
 * The CheckResponse is encoded straight from the plain object encode.ts builds, already in wire
 * shape (enums as numbers), skipping protobufjs's fromObject copy: about 2/3 of its encoding cost.
 * The Check deserializer never throws: a gRPC error answer could be turned into an allow by
 * Envoy's failure_mode_allow, so an unreadable CheckRequest becomes an audited deny instead.
 */
export function loadCodecs(maxCheckBytes: number): Codecs {
  const protoDir = path.join(packageRoot(), 'proto');
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    const local = path.join(protoDir, target);
    return existsSync(local) ? local : target;
  };
  root.loadSync(['envoy/service/auth/v3/external_auth.proto', 'grpc/health/v1/health.proto'], { keepCase: true }).resolveAll();
  const method = (service: string, name: string, encode: (type: protobuf.Type, message: unknown) => Uint8Array = encodeFromObject): Codec => {
    const m = root.lookupService(service).methods[name];
    const request = m.resolvedRequestType as protobuf.Type;
    const response = m.resolvedResponseType as protobuf.Type;
    return {
      path: `/${service}/${name}`,
      deserialize: (bytes) => request.toObject(request.decode(bytes), READ_OPTIONS),
      serialize: (message) => encode(response, message),
    };
  };
  const check = method('envoy.service.auth.v3.Authorization', 'Check', (type, message) => type.encode(message as protobuf.Message).finish());
  return {
    check: { ...check, deserialize: tolerantDeserialize(check.deserialize, maxCheckBytes) },
    healthCheck: method('grpc.health.v1.Health', 'Check'),
    healthList: method('grpc.health.v1.Health', 'List'),
    healthWatch: method('grpc.health.v1.Health', 'Watch'),
  };
}

/** Health answers carry enum names ('SERVING'); fromObject turns them into numbers. */
function encodeFromObject(type: protobuf.Type, message: unknown): Uint8Array {
  return type.encode(type.fromObject(message as Record<string, unknown>)).finish();
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
