import http2 from 'node:http2';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { startTollgate, type RunningTollgate } from '../helpers/tollgate.js';
import { grpcPort } from '../helpers/grpc-client.js';

const CHECK_PATH = '/envoy.service.auth.v3.Authorization/Check';
const PERMISSION_DENIED = 7;

/** CheckResponse as Envoy reads it, from the repository's own protos. */
function checkResponseType(): protobuf.Type {
  const protoDir = path.join(import.meta.dirname, '../../proto');
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : path.join(protoDir, target));
  root.loadSync('envoy/service/auth/v3/external_auth.proto', { keepCase: true }).resolveAll();
  return root.lookupType('envoy.service.auth.v3.CheckResponse');
}

function frame(message: Buffer, flag = 0, announced = message.length): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(announced, 1);
  return Buffer.concat([head, message]);
}

interface CheckAnswer { httpStatus: number; grpcStatus: string; message?: Record<string, any> }

/**
 * One Check as raw HTTP/2 bytes; the HTTP and gRPC status and the CheckResponse (if any) that came
 * back. `end: false` leaves the request open.
 */
function rawCheck(port: number, body: Buffer, extra: Record<string, string> = {}, end = true): Promise<CheckAnswer> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  const req = session.request({ ':method': 'POST', ':path': CHECK_PATH, 'content-type': 'application/grpc', te: 'trailers', ...extra });
  return new Promise<CheckAnswer>((resolve, reject) => {
    let httpStatus = 0;
    let status = '';
    const chunks: Buffer[] = [];
    req.on('response', (h) => {
      httpStatus = Number(h[':status']);
      status = String(h['grpc-status'] ?? status);
    });
    req.on('trailers', (t) => (status = String(t['grpc-status'] ?? status)));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const all = Buffer.concat(chunks);
      const type = checkResponseType();
      resolve({ httpStatus, grpcStatus: status, message: all.length > 5 ? type.toObject(type.decode(all.subarray(5)), { enums: String }) : undefined });
    });
    req.write(body);
    if (end) req.end();
  }).finally(() => session.destroy());
}

/**
 * Envoy's failure_mode_allow turns a gRPC error from the authorization service into an allow, so a
 * Check the transport cannot read is answered like any undecodable request: status OK, a deny, and
 * an audit record, never a gRPC error status.
 */
describe('Envoy gRPC: a Check the transport cannot read is an audited deny, not a gRPC error', () => {
  let tg: RunningTollgate;
  beforeAll(async () => {
    tg = await startTollgate({ TOLLGATE_ADAPTERS__ENVOY_GRPC__MAX_RECEIVE_BYTES: '1024', TOLLGATE_ADAPTERS__ENVOY_GRPC__READ_TIMEOUT_MS: '300' });
  });
  afterAll(() => tg.stop());

  test.each([
    ['no request message', Buffer.alloc(0), {}, 'BadRequest'],
    ['a cut-off message', frame(Buffer.from('abc'), 0, 10), {}, 'BadRequest'],
    ['two messages', Buffer.concat([frame(Buffer.alloc(0)), frame(Buffer.alloc(0))]), {}, 'BadRequest'],
    ['an unsupported grpc-encoding', frame(Buffer.from('x'), 1), { 'grpc-encoding': 'snappy' }, 'BadRequest'],
    ['a compressed flag of 2', frame(Buffer.alloc(0), 2), {}, 'BadRequest'],
    ['a compressed flag of 255', frame(Buffer.alloc(0), 255), {}, 'BadRequest'],
    ['a corrupt gzip message', frame(Buffer.from('not gzip'), 1), { 'grpc-encoding': 'gzip' }, 'BadRequest'],
    ['an unreadable grpc-timeout', frame(Buffer.alloc(0)), { 'grpc-timeout': 'soon' }, 'BadRequest'],
    ['a prefix announcing more than twice max_receive_bytes', frame(Buffer.alloc(8), 0, 1_000_000), {}, 'PayloadTooLarge'],
    ['a gzip message inflating past the limit', frame(gzipSync(Buffer.alloc(100_000)), 1), { 'grpc-encoding': 'gzip' }, 'PayloadTooLarge'],
  ])('%s', async (_name, body, headers, httpStatus) => {
    const before = tg.decisions().length;
    const answer = await rawCheck(grpcPort(tg), body, headers);
    expect(answer.grpcStatus).toBe('0');
    expect(answer.message).toMatchObject({ status: { code: PERMISSION_DENIED }, denied_response: { status: { code: httpStatus } } });
    // Refused by the transport, not decided on whatever the bytes happened to decode to.
    expect(JSON.parse(answer.message!.denied_response.body).error.message).toMatch(/^CheckRequest refused: /);
    const records = tg.decisions().slice(before);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ gateway: 'envoy_grpc', result: 'deny' });
  });

  test('a Check not received in full within read_timeout_ms (a peer sending half a message) is a 400 deny', async () => {
    const before = tg.decisions().length;
    const answer = await rawCheck(grpcPort(tg), frame(Buffer.alloc(3), 0, 10), {}, false);
    expect(answer).toMatchObject({ grpcStatus: '0', message: { denied_response: { status: { code: 'BadRequest' } } } });
    expect(JSON.parse(answer.message!.denied_response.body).error.message).toBe('CheckRequest refused: Request not received in full within 300 ms');
    expect(tg.decisions().slice(before)).toMatchObject([{ gateway: 'envoy_grpc', result: 'deny' }]);
  });

  // Envoy only sends application/grpc, so the 415 reaches no ext_authz filter; grpc-web in particular
  // is not served as if it were gRPC.
  test.each(['application/grpc-web', 'application/grpc-web+proto', 'application/grpc-web-text'])('content type %s is HTTP 415, no CheckResponse and no decision', async (contentType) => {
    const before = tg.decisions().length;
    const answer = await rawCheck(grpcPort(tg), frame(Buffer.alloc(0)), { 'content-type': contentType });
    expect(answer).toEqual({ httpStatus: 415, grpcStatus: '', message: undefined });
    expect(tg.decisions()).toHaveLength(before);
  });
});
