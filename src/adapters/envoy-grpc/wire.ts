/**
 * gRPC over HTTP/2 as the protocol spec and grpc-js put it on the wire: status codes, the 5-byte
 * message prefix (compressed flag + big-endian length), grpc-timeout and the header sets.
 */

/** The gRPC status codes this server sends. */
export const GrpcStatus = {
  OK: 0,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
} as const;

export const PREFIX_BYTES = 5;

/** What every gRPC answer starts with; grpc-accept-encoding lists what a request may be compressed with. */
export const RESPONSE_HEADERS = {
  ':status': 200,
  'content-type': 'application/grpc+proto',
  'grpc-accept-encoding': 'identity,deflate,gzip',
  'grpc-encoding': 'identity',
} as const;

/**
 * gRPC with protobuf messages, the only request content type served: "application/grpc" or
 * "application/grpc+proto", compared case-insensitively as the spec's ABNF literals and HTTP media
 * types are. grpc-web, other codecs (+json) and media type parameters are not gRPC as Envoy sends it.
 */
export function isGrpcProto(contentType: string | undefined): boolean {
  if (contentType === 'application/grpc') return true; // what Envoy and the gRPC libraries send
  const type = contentType?.toLowerCase();
  return type === 'application/grpc' || type === 'application/grpc+proto';
}

/** One length-prefixed, uncompressed message. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(PREFIX_BYTES + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, PREFIX_BYTES);
  return out;
}

/** Status trailers; grpc-message is percent-encoded as the spec asks (grpc-js uses encodeURI too). */
export function statusTrailers(code: number, details: string): Record<string, string> {
  return { 'grpc-status': String(code), 'grpc-message': encodeURI(details) };
}

/** The spec's TimeoutValue (at most 8 digits) and units ("100m", "5S", "30000u"); nothing else around them. */
const TIMEOUT_PATTERN = /^(\d{1,8})([HMSmun])$/;
/** The longest delay a Node timer keeps (about 24.8 days); longer deadlines wait that long. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/** grpc-timeout in ms; undefined when absent, NaN when unreadable. */
export function timeoutMs(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = TIMEOUT_PATTERN.exec(String(header).trim());
  return match ? Math.min(Math.floor(Number(match[1]) * UNIT_MS[match[2]]), MAX_TIMER_MS) : NaN;
}
