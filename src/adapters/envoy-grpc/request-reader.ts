import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { GrpcStatus, PREFIX_BYTES } from './wire.js';

const decompressors: Record<string, (bytes: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
};

/** Why a request could not be read, as the gRPC status that refuses it. */
export class CallRefused extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/**
 * Collects the single request message of a call from DATA chunks. A message whose prefix announces
 * more than maxBytes is refused on its first 5 bytes, so it is never buffered.
 */
export class RequestReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;
  private compressed = false;
  private message: Buffer | undefined;

  constructor(private readonly maxBytes: number) {}

  /** Throws CallRefused for an oversized or second message, or a compressed flag other than 0 or 1. */
  push(chunk: Buffer): void {
    if (this.message) throw new CallRefused(GrpcStatus.UNIMPLEMENTED, 'Received a second request message');
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.expected < 0 && this.buffered >= PREFIX_BYTES) {
      const head = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks);
      // The spec defines 0 and 1 only; reading another flag as "uncompressed" would guess at the bytes.
      if (head[0] > 1) throw new CallRefused(GrpcStatus.INTERNAL, `Received message with invalid compressed flag ${head[0]}`);
      this.compressed = head[0] === 1;
      this.expected = head.readUInt32BE(1);
      if (this.expected > this.maxBytes) {
        throw new CallRefused(GrpcStatus.RESOURCE_EXHAUSTED, `Received message larger than max (${this.expected} vs. ${this.maxBytes})`);
      }
    }
    if (this.expected >= 0 && this.buffered >= PREFIX_BYTES + this.expected) this.complete();
  }

  /** The message once the client half-closed, decompressed as grpc-encoding says. */
  async finish(encoding: string | string[] | undefined): Promise<Buffer> {
    if (!this.message) throw new CallRefused(GrpcStatus.UNIMPLEMENTED, 'Received no request message');
    if (!this.compressed) return this.message;
    const name = String(encoding ?? 'identity');
    const decompress = decompressors[name];
    if (!decompress) throw new CallRefused(GrpcStatus.UNIMPLEMENTED, `Received message compressed with unsupported encoding "${name}"`);
    try {
      return await decompress(this.message, { maxOutputLength: this.maxBytes });
    } catch (err) {
      // zlib reports output past maxOutputLength as a RangeError, corrupt input as a plain Error.
      if ((err as Error).name === 'RangeError') {
        throw new CallRefused(GrpcStatus.RESOURCE_EXHAUSTED, `Received message that decompresses to a size larger than ${this.maxBytes}`);
      }
      throw new CallRefused(GrpcStatus.INTERNAL, 'Failed to decompress message');
    }
  }

  private complete(): void {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const end = PREFIX_BYTES + this.expected;
    if (all.length > end) throw new CallRefused(GrpcStatus.UNIMPLEMENTED, 'Received a second request message');
    this.message = all.subarray(PREFIX_BYTES, end);
    this.chunks = [];
  }
}
