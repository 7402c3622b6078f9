import http2, { type IncomingHttpHeaders } from 'node:http2';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { Client, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { GrpcServer, type GrpcMethod } from '../../src/adapters/envoy-grpc/grpc-server.js';

/**
 * The gRPC protocol as GrpcServer speaks it on node:http2, checked against grpc-js (a real client)
 * and against hand-built HTTP/2 requests for what a client library would not send.
 */

const MAX = 256 * 1024;
const KEEPALIVE = { time_ms: 100, timeout_ms: 100 };

/** Echoes the request bytes; a few payloads ask for other behaviour. */
const echo: GrpcMethod = {
  deserialize: (bytes) => bytes,
  serialize: (message) => message as Buffer,
  handle: (call, request) => {
    const text = (request as Buffer).toString();
    if (text === 'hang') return;
    if (text === 'slow') setTimeout(() => call.reply(request), 300);
    else if (text === 'fail') call.fail(GrpcStatus.NOT_FOUND, 'no such thing: ü 100%');
    else call.reply(request);
  },
};
const streaming: GrpcMethod = {
  ...echo,
  handle: (call, request) => {
    for (let i = 0; i < 3; i++) call.write(request);
    call.end();
  },
};
/** Sends one message and stays open, like a health Watch; counts the streams it saw close. */
let openClosed = 0;
const open: GrpcMethod = {
  ...echo,
  handle: (call, request) => {
    call.write(request);
    call.onClose(() => openClosed++);
  },
};
const undecodable: GrpcMethod = { ...echo, deserialize: () => { throw new Error('not protobuf'); } };

const READ_TIMEOUT_MS = 300;

function serve(limits: { maxConcurrentStreams?: number } = {}): Promise<{ server: GrpcServer; port: number }> {
  const methods = new Map([
    ['/test.Echo/Unary', echo], ['/test.Echo/Stream', streaming], ['/test.Echo/Open', open],
    ['/test.Echo/Undecodable', undecodable],
  ]);
  const server = new GrpcServer(methods, {
    maxReceiveBytes: MAX, keepalive: KEEPALIVE, maxConcurrentStreams: limits.maxConcurrentStreams ?? 100, readTimeoutMs: READ_TIMEOUT_MS,
    onError: (err) => { throw err; },
  });
  return server.listen('127.0.0.1', 0).then((port) => ({ server, port }));
}

/** The 5-byte prefix (compressed flag, length) and the message; the spec allows flags 0 and 1 only. */
function prefixed(message: Buffer, flag = 0, announced = message.length): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(announced, 1);
  return Buffer.concat([head, message]);
}

interface RawAnswer { httpStatus: number; headers: IncomingHttpHeaders; trailers: IncomingHttpHeaders; grpcStatus: number; grpcMessage: string; messages: Buffer[] }

/** One call as raw HTTP/2: headers and body bytes exactly as given; `end: false` leaves the request open. */
function raw(port: number, path: string, body: Buffer, extra: Record<string, string> = {}, end = true): Promise<RawAnswer> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extra });
  return new Promise<RawAnswer>((resolve, reject) => {
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on('response', (h) => (headers = h));
    req.on('trailers', (t) => (trailers = t));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const all = Buffer.concat(chunks);
      const messages: Buffer[] = [];
      for (let at = 0; at < all.length; at += 5 + all.readUInt32BE(at + 1)) messages.push(all.subarray(at + 5, at + 5 + all.readUInt32BE(at + 1)));
      const status = trailers['grpc-status'] ?? headers['grpc-status'];
      const message = trailers['grpc-message'] ?? headers['grpc-message'];
      resolve({ httpStatus: Number(headers[':status']), headers, trailers, grpcStatus: Number(status), grpcMessage: String(message), messages });
    });
    req.write(body);
    if (end) req.end();
  }).finally(() => session.destroy());
}

function grpcJsCall(port: number, path: string, message: Buffer): Promise<Buffer> {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, message, (err: ServiceError | null, res?: Buffer) => (err ? reject(err) : resolve(res as Buffer)));
  }).finally(() => client.close());
}

describe('GrpcServer (gRPC on node:http2)', () => {
  let server: GrpcServer;
  let port: number;
  beforeAll(async () => ({ server, port } = await serve()));
  afterAll(() => server.close(1000));

  test('a grpc-js client gets its answer: length-prefixed messages, status OK in trailers', async () => {
    await expect(grpcJsCall(port, '/test.Echo/Unary', Buffer.from('hello'))).resolves.toEqual(Buffer.from('hello'));
    const answer = await raw(port, '/test.Echo/Unary', prefixed(Buffer.from('hi')));
    expect(answer.headers).toMatchObject({ ':status': 200, 'content-type': 'application/grpc+proto' });
    expect(answer.trailers).toMatchObject({ 'grpc-status': '0', 'grpc-message': 'OK' });
    expect(answer.messages).toEqual([Buffer.from('hi')]);
  });

  test('a message larger than the HTTP/2 flow-control windows passes both ways', async () => {
    const big = Buffer.alloc(MAX - 10, 'a');
    expect((await grpcJsCall(port, '/test.Echo/Unary', big)).equals(big)).toBe(true);
  });

  test('an unknown method is UNIMPLEMENTED, as a trailers-only answer', async () => {
    await expect(grpcJsCall(port, '/test.Echo/Nope', Buffer.from('x'))).rejects.toMatchObject({ code: GrpcStatus.UNIMPLEMENTED });
    const answer = await raw(port, '/test.Echo/Nope', prefixed(Buffer.from('x')));
    expect(answer.headers).toMatchObject({ ':status': 200, 'grpc-status': '12', 'grpc-message': 'The%20server%20does%20not%20implement%20the%20method%20/test.Echo/Nope' });
    expect(answer.messages).toEqual([]);
  });

  test('grpc-message is percent-encoded and decodes back for the client', async () => {
    const answer = await raw(port, '/test.Echo/Unary', prefixed(Buffer.from('fail')));
    expect(answer.grpcStatus).toBe(GrpcStatus.NOT_FOUND);
    expect(answer.grpcMessage).toBe('no%20such%20thing:%20%C3%BC%20100%25');
    await expect(grpcJsCall(port, '/test.Echo/Unary', Buffer.from('fail'))).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND, details: 'no such thing: ü 100%' });
  });

  test('grpc-timeout: DEADLINE_EXCEEDED when the handler does not answer in time; an unreadable one is INTERNAL', async () => {
    const started = Date.now();
    const answer = await raw(port, '/test.Echo/Unary', prefixed(Buffer.from('hang')), { 'grpc-timeout': '100m' });
    expect(answer).toMatchObject({ grpcStatus: GrpcStatus.DEADLINE_EXCEEDED, grpcMessage: 'Deadline%20exceeded' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    await expect(raw(port, '/test.Echo/Unary', prefixed(Buffer.from('hi')), { 'grpc-timeout': 'soon' })).resolves.toMatchObject({ grpcStatus: GrpcStatus.INTERNAL });
    await expect(raw(port, '/test.Echo/Unary', prefixed(Buffer.from('hi')), { 'grpc-timeout': '5S' })).resolves.toMatchObject({ grpcStatus: GrpcStatus.OK });
  });

  test('a deadline on an open stream ends it after its messages, with the status in trailers', async () => {
    const answer = await raw(port, '/test.Echo/Open', prefixed(Buffer.from('w')), { 'grpc-timeout': '100m' });
    expect(answer.messages).toEqual([Buffer.from('w')]);
    expect(answer.trailers['grpc-status']).toBe(String(GrpcStatus.DEADLINE_EXCEEDED));
    expect(openClosed).toBe(1);
  });

  test('a message announced above the limit is refused on its prefix, before the body is sent', async () => {
    const answer = await raw(port, '/test.Echo/Unary', prefixed(Buffer.alloc(0), 0, MAX + 1), {}, false);
    expect(answer.grpcStatus).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(decodeURI(answer.grpcMessage)).toBe(`Received message larger than max (${MAX + 1} vs. ${MAX})`);
  });

  test('compression: gzip and deflate are read; other encodings, a flag without encoding and a flag other than 0 or 1 refused', async () => {
    const zipped = prefixed(gzipSync(Buffer.from('squeezed')), 1);
    await expect(raw(port, '/test.Echo/Unary', zipped, { 'grpc-encoding': 'gzip' })).resolves.toMatchObject({ grpcStatus: 0, messages: [Buffer.from('squeezed')] });
    await expect(raw(port, '/test.Echo/Unary', zipped, { 'grpc-encoding': 'snappy' })).resolves.toMatchObject({ grpcStatus: GrpcStatus.UNIMPLEMENTED });
    await expect(raw(port, '/test.Echo/Unary', prefixed(Buffer.from('hi'), 1))).resolves.toMatchObject({ grpcStatus: GrpcStatus.UNIMPLEMENTED });
    const bomb = prefixed(gzipSync(Buffer.alloc(MAX + 1)), 1);
    await expect(raw(port, '/test.Echo/Unary', bomb, { 'grpc-encoding': 'gzip' })).resolves.toMatchObject({ grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED });
    for (const flag of [2, 255]) {
      await expect(raw(port, '/test.Echo/Unary', prefixed(Buffer.from('hi'), flag))).resolves.toMatchObject({ grpcStatus: GrpcStatus.INTERNAL, grpcMessage: encodeURI(`Received message with invalid compressed flag ${flag}`) });
    }
    // An encoding header on an uncompressed message changes nothing.
    await expect(raw(port, '/test.Echo/Unary', prefixed(Buffer.from('plain')), { 'grpc-encoding': 'gzip' })).resolves.toMatchObject({ grpcStatus: 0, messages: [Buffer.from('plain')] });
  });

  test('a unary call takes exactly one message', async () => {
    const two = Buffer.concat([prefixed(Buffer.from('a')), prefixed(Buffer.from('b'))]);
    await expect(raw(port, '/test.Echo/Unary', two)).resolves.toMatchObject({ grpcStatus: GrpcStatus.UNIMPLEMENTED });
    await expect(raw(port, '/test.Echo/Unary', Buffer.alloc(0))).resolves.toMatchObject({ grpcStatus: GrpcStatus.UNIMPLEMENTED });
    await expect(raw(port, '/test.Echo/Unary', Buffer.from([0, 0, 0]))).resolves.toMatchObject({ grpcStatus: GrpcStatus.UNIMPLEMENTED });
  });

  test('a request the method cannot decode is INTERNAL', async () => {
    await expect(raw(port, '/test.Echo/Undecodable', prefixed(Buffer.from('x')))).resolves.toMatchObject({ grpcStatus: GrpcStatus.INTERNAL });
  });

  test.each(['application/grpc', 'application/grpc+proto', 'Application/gRPC', 'APPLICATION/GRPC+PROTO'])('content type %s is served', async (contentType) => {
    await expect(raw(port, '/test.Echo/Unary', prefixed(Buffer.from('x')), { 'content-type': contentType })).resolves.toMatchObject({ httpStatus: 200, grpcStatus: GrpcStatus.OK });
  });

  test.each([
    'application/grpc-web', 'application/grpc-web+proto', 'application/grpc-web-text', 'application/grpc+json',
    'application/grpc; charset=utf-8', 'application/grpcx', 'application/json',
  ])('content type %s is HTTP 415 without a gRPC status', async (contentType) => {
    const answer = await raw(port, '/test.Echo/Unary', prefixed(Buffer.from('x')), { 'content-type': contentType });
    expect(answer).toMatchObject({ httpStatus: 415, messages: [] });
    expect(answer.grpcStatus).toBeNaN();
  });

  test.each([
    ['half a message', prefixed(Buffer.from('abc'), 0, 10)],
    ['a whole message without the half-close', prefixed(Buffer.from('abc'))],
  ])('%s not completed within readTimeoutMs is refused (DEADLINE_EXCEEDED)', async (_name, body) => {
    const started = Date.now();
    const answer = await raw(port, '/test.Echo/Unary', body, {}, false);
    expect(answer.grpcStatus).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect(decodeURI(answer.grpcMessage)).toBe(`Request not received in full within ${READ_TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 10);
  });

  test('the read deadline ends with the request: a handler may answer after it', async () => {
    await expect(raw(port, '/test.Echo/Unary', prefixed(Buffer.from('slow')))).resolves.toMatchObject({ grpcStatus: GrpcStatus.OK, messages: [Buffer.from('slow')] });
  });

  test('a server stream sends its messages, then the status in trailers', async () => {
    const answer = await raw(port, '/test.Echo/Stream', prefixed(Buffer.from('s')));
    expect(answer.messages).toEqual([Buffer.from('s'), Buffer.from('s'), Buffer.from('s')]);
    expect(answer.trailers['grpc-status']).toBe('0');
  });

  test('keepalive: a client answering pings keeps its connection; one that never answers is dropped', async () => {
    const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
    const ask = () => new Promise<Buffer>((resolve, reject) => client.makeUnaryRequest('/test.Echo/Unary', (b: Buffer) => b, (b: Buffer) => b, Buffer.from('x'), (err, res) => (err ? reject(err) : resolve(res as Buffer))));
    await ask();
    await new Promise((r) => setTimeout(r, 5 * KEEPALIVE.time_ms));
    await expect(ask()).resolves.toEqual(Buffer.from('x'));
    client.close();

    // HTTP/2 preface and an empty SETTINGS frame, then silence: the server's pings go unanswered.
    const socket = net.connect(port, '127.0.0.1');
    socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    const started = Date.now();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(Date.now() - started).toBeLessThan(20 * (KEEPALIVE.time_ms + KEEPALIVE.timeout_ms));
  });
});

describe('GrpcServer maxConcurrentStreams', () => {
  test('is announced in SETTINGS; a call past it waits until an open one ends', async () => {
    const { server, port } = await serve({ maxConcurrentStreams: 2 });
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      await new Promise((resolve) => session.once('remoteSettings', resolve));
      expect(session.remoteSettings.maxConcurrentStreams).toBe(2);
      const call = (path: string) => {
        const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
        req.end(prefixed(Buffer.from('x')));
        return req;
      };
      // Two server streams that stay open fill the connection.
      const opens = [call('/test.Echo/Open'), call('/test.Echo/Open')];
      await Promise.all(opens.map((req) => new Promise((resolve) => req.once('data', resolve))));
      const third = call('/test.Echo/Unary');
      let answered = false;
      const done = new Promise((resolve) => third.once('trailers', resolve)).then(() => (answered = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(answered).toBe(false);
      opens[0].close();
      await done;
      opens[1].close();
    } finally {
      session.destroy();
      await server.close(1000);
    }
  });
});

describe('GrpcServer.close', () => {
  test('in-flight calls finish, then new connections are refused', async () => {
    const { server, port } = await serve();
    const inFlight = grpcJsCall(port, '/test.Echo/Unary', Buffer.from('slow'));
    await new Promise((r) => setTimeout(r, 100));
    const closed = server.close(5000);
    await expect(inFlight).resolves.toEqual(Buffer.from('slow'));
    await closed;
    await expect(grpcJsCall(port, '/test.Echo/Unary', Buffer.from('x'))).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
  });

  test('calls still open after the timeout are cut', async () => {
    const { server, port } = await serve();
    const hanging = raw(port, '/test.Echo/Unary', prefixed(Buffer.from('hang')));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await server.close(200);
    expect(Date.now() - started).toBeLessThan(2000);
    const status = await hanging.then((answer) => answer.grpcStatus, () => NaN);
    expect(status).toBeNaN(); // no status: the stream was cut
  });

  test('a peer that never closes its side of the connection is cut at the timeout', async () => {
    const { server, port } = await serve();
    // HTTP/2 preface and SETTINGS, then silence: it reads the GOAWAY and the FIN and never closes.
    const peer = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    peer.on('data', () => {});
    await new Promise((resolve) => peer.once('connect', resolve));
    peer.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await server.close(200);
    expect(Date.now() - started).toBeLessThan(2000);
    peer.destroy();
  });

  test('a refused call whose request was never read does not outlive its answer', async () => {
    const { server, port } = await serve();
    await expect(raw(port, '/test.Echo/Nope', prefixed(Buffer.alloc(1000)))).resolves.toMatchObject({ grpcStatus: GrpcStatus.UNIMPLEMENTED });
    const started = Date.now();
    await server.close(3000);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
