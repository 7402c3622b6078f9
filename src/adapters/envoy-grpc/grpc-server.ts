import type { Socket } from 'node:net';
import http2, { type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { GrpcCall } from './grpc-call.js';
import { CallRefused, RequestReader } from './request-reader.js';
import { GrpcStatus, isGrpcProto, timeoutMs } from './wire.js';

/** A method taking one request message: unary, or server-streaming when it writes several answers. */
export interface GrpcMethod {
  /** A throw answers INTERNAL, as grpc-js does. */
  deserialize(bytes: Buffer): unknown;
  serialize(message: unknown): Uint8Array;
  handle(call: GrpcCall, request: unknown): void;
  /**
   * A request the transport refused (no, a second, an unreadable, an oversized or a late message, a
   * bad grpc-timeout or encoding), as a request `handle` answers itself; without it the call gets the
   * refusal's gRPC status (Check answers a deny instead: Envoy's failure_mode_allow can turn a gRPC
   * error into an allow).
   */
  refused?(refusal: CallRefused): unknown;
}

interface GrpcServerOptions {
  /** Largest message read; a larger prefix is refused with RESOURCE_EXHAUSTED before buffering. */
  maxReceiveBytes: number;
  keepalive: { time_ms: number; timeout_ms: number };
  /** Calls one connection may have open at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS). */
  maxConcurrentStreams: number;
  /** Time a call's request has to arrive in full (message and half-close) before it is refused. */
  readTimeoutMs: number;
  /** Errors of the listening socket after it is bound (accept failures such as EMFILE). */
  onError: (err: Error) => void;
}

/**
 * gRPC over cleartext HTTP/2 (h2c) on node:http2, for a fixed set of methods with one request message.
 * It carries what grpc-js did for these methods at about half the CPU per call: framing, message size
 * limit, grpc-timeout deadlines, request decompression, status trailers, keepalive pings, graceful close.
 */
export class GrpcServer {
  private readonly server: Http2Server;
  /** Open connections, each with the function that stops its keepalive pings. */
  private readonly sessions = new Map<ServerHttp2Session, () => void>();
  /**
   * Open TCP connections. A closed session only ends its socket's writing side; a peer that never
   * closes its own would keep the server, and a shutdown, open for ever.
   */
  private readonly sockets = new Set<Socket>();

  constructor(private readonly methods: ReadonlyMap<string, GrpcMethod>, private readonly options: GrpcServerOptions) {
    // Node's session memory cap stalls busy connections instead of protecting them (grpc-js lifts it too).
    this.server = http2.createServer({
      maxSessionMemory: Number.MAX_SAFE_INTEGER,
      maxSendHeaderBlockLength: Number.MAX_SAFE_INTEGER,
      settings: { maxConcurrentStreams: options.maxConcurrentStreams },
    });
    this.server.on('session', (session) => this.track(session));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('stream', (stream, headers) => this.dispatch(stream, headers));
  }

  /** Resolves with the bound port (port 0 picks a free one). */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.server.on('error', this.options.onError);
        resolve((this.server.address() as { port: number }).port);
      });
    });
  }

  /** Stops accepting, lets open calls finish (GOAWAY), and after timeoutMs cuts the connections left. */
  close(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const cut = setTimeout(() => {
        for (const session of this.sessions.keys()) session.destroy();
        for (const socket of this.sockets) socket.destroy();
      }, timeoutMs);
      this.server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      // A ping on a closing session fails, and its failure would drop the calls still finishing.
      for (const [session, stopKeepalive] of this.sessions) {
        stopKeepalive();
        session.close();
      }
    });
  }

  private track(session: ServerHttp2Session): void {
    session.on('error', () => {}); // 'close' follows; there is nothing to answer on a broken connection
    const stopKeepalive = this.keepalive(session);
    this.sessions.set(session, stopKeepalive);
    session.once('close', () => {
      stopKeepalive();
      this.sessions.delete(session);
    });
  }

  /** Pings every time_ms; an unanswered ping drops the connection after timeout_ms (grpc-js's rule). */
  private keepalive(session: ServerHttp2Session): () => void {
    const { time_ms, timeout_ms } = this.options.keepalive;
    let timer: NodeJS.Timeout | undefined;
    const schedule = (): void => {
      timer = setTimeout(ping, time_ms).unref();
    };
    const ping = (): void => {
      if (session.destroyed || session.closed) return;
      const answered = (): void => {
        clearTimeout(timer); // the unanswered-ping timeout below
        schedule();
      };
      if (!this.sendPing(session, answered)) {
        session.destroy();
        return;
      }
      timer = setTimeout(() => session.destroy(), timeout_ms).unref();
    };
    schedule();
    return () => clearTimeout(timer);
  }

  /** False when the ping could not be sent (grpc-js drops the connection then too). */
  private sendPing(session: ServerHttp2Session, answered: () => void): boolean {
    try {
      return session.ping((err) => {
        if (err) session.destroy();
        else answered();
      });
    } catch {
      return false;
    }
  }

  private dispatch(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => {}); // a reset stream closes; its call sees the close
    // The spec's answer to a request that is not gRPC; Envoy only sends application/grpc, so this is
    // never a gRPC error that failure_mode_allow could turn into an allow.
    if (!isGrpcProto(headers['content-type'])) {
      stream.respond({ ':status': 415 }, { endStream: true }); // Node closes an unread stream once this is out
      return;
    }
    const path = headers[':path'] ?? '';
    const method = this.methods.get(path);
    const call = new GrpcCall(stream, method ? method.serialize : () => new Uint8Array());
    if (!method) return this.refuse(stream, call, new CallRefused(GrpcStatus.UNIMPLEMENTED, `The server does not implement the method ${path}`));
    const timeout = timeoutMs(headers['grpc-timeout']);
    if (Number.isNaN(timeout)) return this.refuse(stream, call, new CallRefused(GrpcStatus.INTERNAL, `Invalid grpc-timeout value "${String(headers['grpc-timeout'])}"`), method);
    if (timeout !== undefined) call.expireAfter(timeout);
    this.read(stream, call, method, headers['grpc-encoding']);
  }

  /**
   * Reads the request until the client half-closes, then runs the method. A request not in full
   * within readTimeoutMs is refused: a peer sending half messages would otherwise hold their buffers.
   */
  private read(stream: ServerHttp2Stream, call: GrpcCall, method: GrpcMethod, encoding: string | string[] | undefined): void {
    const reader = new RequestReader(this.options.maxReceiveBytes);
    let refused = false;
    const refuseRead = (refusal: CallRefused): void => {
      stream.off('data', onData);
      clearTimeout(readDeadline);
      refused = true;
      this.refuse(stream, call, refusal, method);
    };
    const onData = (chunk: Buffer): void => {
      try {
        reader.push(chunk);
      } catch (err) {
        refuseRead(err as CallRefused);
      }
    };
    const { readTimeoutMs } = this.options;
    const readDeadline = setTimeout(() => refuseRead(new CallRefused(GrpcStatus.DEADLINE_EXCEEDED, `Request not received in full within ${readTimeoutMs} ms`)), readTimeoutMs);
    call.onClose(() => clearTimeout(readDeadline));
    stream.on('data', onData);
    stream.once('end', () => {
      clearTimeout(readDeadline);
      if (call.finished || refused) return;
      reader.finish(encoding).then(
        (bytes) => this.run(call, method, bytes),
        (err: CallRefused) => this.refuse(stream, call, err, method),
      );
    });
  }

  private run(call: GrpcCall, method: GrpcMethod, bytes: Buffer): void {
    if (call.finished) return;
    let request: unknown;
    try {
      request = method.deserialize(bytes);
    } catch {
      call.fail(GrpcStatus.INTERNAL, 'Error deserializing request');
      return;
    }
    this.handle(call, method, request);
  }

  private handle(call: GrpcCall, method: GrpcMethod, request: unknown): void {
    try {
      method.handle(call, request);
    } catch {
      call.fail(GrpcStatus.UNKNOWN, 'Unknown error'); // grpc-js's answer to a throwing handler
    }
  }

  /**
   * Answers a request the transport refused, as the method says (`refused`) or with the refusal's
   * status, and drains what the client still sends without keeping it. (Closing the stream after the
   * answer with RST_STREAM NO_ERROR leaves a Node client that still has request data queued, such as
   * grpc-js, with a stream it never releases, so its channel never closes.)
   */
  private refuse(stream: ServerHttp2Stream, call: GrpcCall, refusal: CallRefused, method?: GrpcMethod): void {
    stream.resume();
    if (call.finished) return;
    if (method?.refused) this.handle(call, method, method.refused(refusal));
    else call.fail(refusal.code, refusal.message);
  }
}
