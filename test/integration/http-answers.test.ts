import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { sendAnswer } from '../../src/adapters/http/answer.js';
import { createLoggers } from '../../src/observability/logger.js';
import { HttpIncidentLog } from '../../src/observability/http-incidents.js';
import { Metrics } from '../../src/observability/metrics.js';
import { createAuthzServer } from '../../src/server/authz-server.js';
import { startTollgate, type RunningTollgate } from '../helpers/tollgate.js';

/** Header values node:http refuses to send: line breaks, NUL, characters beyond Latin-1. */
const REFUSED = ['a\r\nx-injected: 1', 'a\nb', 'a\rb', 'a\0b', 'Zoë ☃', '\u2028', '😀'];

describe('an answer node:http refuses', () => {
  const stream = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  stream.on('data', (c: Buffer) => c.toString().split('\n').filter(Boolean).forEach((l) => lines.push(JSON.parse(l) as Record<string, unknown>)));
  const loggers = createLoggers({ level: 'info', auditFile: null, stream });
  let value = '';
  const server = createAuthzServer([{
    method: 'GET', path: '/answer', handler: (_req, res) => sendAnswer(res, { status: 200, headers: { 'x-tollgate-decision-id': 'd-1', 'x-tollgate-subject': value } }, 'd-1'),
  }], (_req, res) => res.end(), { maxHeaderBytes: 16384, incidents: new HttpIncidentLog(loggers.audit, new Metrics()) });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/answer`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await loggers.close();
  });

  test.each(REFUSED)('%j: the allow becomes a 500 deny, and an answer record says so', async (bad) => {
    value = bad;
    lines.length = 0;
    const res = await fetch(url);
    expect(res.status).toBe(500);
    expect(res.headers.get('x-tollgate-subject')).toBeNull();
    expect(res.headers.get('x-injected')).toBeNull();
    expect(await res.json()).toEqual({ error: { code: 'answer_unsendable', message: expect.any(String), decision_id: 'd-1' } });
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([expect.objectContaining({ log_type: 'answer', decision_id: 'd-1', result: 'deny', answered_status: 500, error_code: 'ERR_ANSWER_UNSENDABLE' })]);
  });

  test('a valid answer is sent as encoded, with no extra record', async () => {
    value = 'billing-agent';
    lines.length = 0;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tollgate-subject')).toBe('billing-agent');
    expect(lines).toEqual([]);
  });
});

/** Sends raw bytes and returns the raw answer. */
function raw(url: string, request: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(request));
    let out = '';
    socket.on('data', (c: Buffer) => { out += c.toString(); });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('requests node:http rejects before any handler', () => {
  let tg: RunningTollgate;
  beforeAll(async () => {
    tg = await startTollgate({ TOLLGATE_SERVER__MAX_HEADER_BYTES: '4096' });
  });
  afterAll(() => tg.stop());

  test.each([
    { name: 'headers over server.max_header_bytes', request: `GET /forward-auth HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(8192)}\r\n\r\n`, status: 431, reason: 'request_headers_too_large' },
    { name: 'a malformed request line', request: 'GET /forward-auth HTTP/9.9 nonsense\r\n\r\n', status: 400, reason: 'request_malformed' },
    { name: 'a bad header name', request: 'GET /forward-auth HTTP/1.1\r\nhost: x\r\nbad header: 1\r\n\r\n', status: 400, reason: 'request_malformed' },
    { name: 'conflicting lengths', request: 'POST /v1/authorize HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n', status: 400, reason: 'request_malformed' },
  ])('$name: $status with a JSON reason, and one deny record', async ({ request, status, reason }) => {
    const before = tg.decisions().length;
    const answer = await raw(tg.url, request);
    expect(answer.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string; decision_id: string } };
    expect(body.error.code).toBe(reason);
    await new Promise((r) => setImmediate(r));
    const records = tg.decisions().slice(before);
    expect(records).toEqual([expect.objectContaining({ gateway: 'http', result: 'deny', status, reason, decision_id: body.error.decision_id, source_address: '127.0.0.1' })]);
  });
});
