import type { ServerHttp2Stream } from 'node:http2';
import { frame, GrpcStatus, RESPONSE_HEADERS, statusTrailers } from './wire.js';

const OK_TRAILERS = statusTrailers(GrpcStatus.OK, 'OK');

/**
 * The answering side of one gRPC call on an HTTP/2 stream: messages, then the status in trailers,
 * or the status alone (trailers-only) when no message was sent. Once the status is out, or the
 * client went away, everything else is dropped.
 */
export class GrpcCall {
  private headersSent = false;
  private done = false;
  private deadline: NodeJS.Timeout | undefined;
  private readonly closeHandlers: Array<() => void> = [];

  constructor(private readonly stream: ServerHttp2Stream, private readonly serialize: (message: unknown) => Uint8Array) {
    stream.once('close', () => {
      clearTimeout(this.deadline);
      this.done = true;
      for (const handler of this.closeHandlers) handler();
    });
  }

  get peer(): string | undefined {
    return this.stream.session?.socket?.remoteAddress;
  }

  get finished(): boolean {
    return this.done || this.stream.destroyed || this.stream.closed;
  }

  /** DEADLINE_EXCEEDED after ms unless the call finished first. */
  expireAfter(ms: number): void {
    this.deadline = setTimeout(() => this.fail(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'), ms);
  }

  /** Runs once the stream is closed: answered, failed (a deadline too), cancelled by the client or cut. */
  onClose(handler: () => void): void {
    this.closeHandlers.push(handler);
  }

  /** The unary answer: one message and OK. A message that cannot be serialized throws before anything is sent. */
  reply(message: unknown): void {
    if (this.finished) return;
    this.endWith(OK_TRAILERS, frame(this.serialize(message)));
  }

  /** One message of a server stream. */
  write(message: unknown): void {
    if (this.finished) return;
    this.respond();
    this.stream.write(frame(this.serialize(message)));
  }

  /** Ends a server stream with OK. */
  end(): void {
    if (this.finished) return;
    this.endWith(OK_TRAILERS);
  }

  /** An error status: trailers-only when nothing was sent yet. */
  fail(code: number, details: string): void {
    if (this.finished) return;
    if (this.headersSent) {
      this.endWith(statusTrailers(code, details));
      return;
    }
    this.finish();
    this.stream.respond({ ...RESPONSE_HEADERS, ...statusTrailers(code, details) }, { endStream: true });
  }

  /** The last data (if any), then the status in trailers. */
  private endWith(trailers: Record<string, string>, bytes?: Buffer): void {
    this.finish();
    this.respond();
    this.stream.once('wantTrailers', () => this.stream.sendTrailers(trailers));
    this.stream.end(bytes);
  }

  private finish(): void {
    this.done = true;
    clearTimeout(this.deadline);
  }

  private respond(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
  }
}
