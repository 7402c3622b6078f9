import path from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';
import { authorizationClient, chatCheck, grpcPort, headerMap, healthClient, type Check } from '../helpers/grpc-client.js';

const MAX_RECEIVE = 64 * 1024;

describe('Envoy ext_authz gRPC server with API keys and the default policy', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  let client: ReturnType<typeof authorizationClient>;
  let check: Check;
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file, TOLLGATE_ENVOY_GRPC__MAX_RECEIVE_BYTES: String(MAX_RECEIVE) });
    client = authorizationClient(grpcPort(tg));
    check = client.check;
  });
  afterAll(async () => {
    client.close();
    await tg.stop();
  });

  test('allowed: OK with identity headers upstream and a spoofed identity header overwritten', async () => {
    const res = await check(chatCheck('gpt-4o-mini', { authorization: `Bearer ${key.secret}`, 'x-tollgate-subject': 'admin', 'x-tollgate-key-id': 'other' }));
    expect(res.status.code).toBe(0);
    expect(res.http_response).toBe('ok_response');
    const upstream = headerMap(res.ok_response.headers);
    expect(upstream).toMatchObject({ 'x-tollgate-subject': 'svc-a', 'x-tollgate-key-id': key.id, 'x-tollgate-credential': 'api_key' });
    expect(res.ok_response.headers.every((h: any) => h.append.value === false)).toBe(true);
    expect(res.ok_response.headers_to_remove).toEqual(['x-tollgate-on-behalf-of']);
    const meta = res.dynamic_metadata.fields;
    expect(meta.subject.stringValue).toBe('svc-a');
    expect(meta.key_id.stringValue).toBe(key.id);
    expect(meta.decision_id.stringValue).toBe(upstream['x-tollgate-decision-id']);
    const audit = tg.decisions().find((d) => d.decision_id === meta.decision_id.stringValue);
    expect(audit).toMatchObject({ gateway: 'envoy_grpc', result: 'allow', model: 'gpt-4o-mini', source_address: '10.0.0.7' });
  });

  test('denied model: PERMISSION_DENIED with 403 and a JSON body', async () => {
    const res = await check(chatCheck('o1', { 'x-api-key': key.secret }));
    expect(res.status).toEqual({ code: 7, message: 'model_not_allowed' });
    expect(res.denied_response.status.code).toBe('Forbidden');
    expect(headerMap(res.denied_response.headers)).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(res.denied_response.body).error).toMatchObject({ code: 'model_not_allowed' });
  });

  test('no credential: UNAUTHENTICATED with 401 and www-authenticate', async () => {
    const res = await check(chatCheck('gpt-4o-mini', {}));
    expect(res.status.code).toBe(16);
    expect(res.denied_response.status.code).toBe('Unauthorized');
    expect(headerMap(res.denied_response.headers)['www-authenticate']).toMatch(/^Bearer realm="tollgate"/);
  });

  test('a CheckRequest without attributes is a 400 deny, and audited', async () => {
    const res = await check({});
    expect(res.status.code).toBe(7);
    expect(res.denied_response.status.code).toBe('BadRequest');
    const id = res.dynamic_metadata.fields.decision_id.stringValue;
    expect(tg.decisions().find((d) => d.decision_id === id)).toMatchObject({ gateway: 'envoy_grpc', result: 'deny', error_code: 'ERR_REQUEST_MALFORMED' });
  });

  test('bytes that are not protobuf are a 400 deny, not a gRPC error', async () => {
    const res = await client.raw(Buffer.from([0x0a, 0xff, 0xff]));
    expect(res.status.code).toBe(7);
    expect(res.denied_response.status.code).toBe('BadRequest');
  });

  test('a body over max_receive_bytes is a 413 deny, not a gRPC error', async () => {
    const huge = chatCheck('gpt-4o-mini', { authorization: `Bearer ${key.secret}` });
    (huge.attributes as any).request.http.body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(MAX_RECEIVE + 10) }] });
    const res = await check(huge);
    expect(res.status.code).toBe(7);
    expect(res.denied_response.status.code).toBe('PayloadTooLarge');
    expect(JSON.parse(res.denied_response.body).error.code).toBe('request_too_large');
  });

  test('beyond twice max_receive_bytes the message is refused before it is read, still as a 413 deny (never a gRPC error Envoy could turn into an allow)', async () => {
    const huge = chatCheck('gpt-4o-mini', {});
    (huge.attributes as any).request.http.body = 'x'.repeat(MAX_RECEIVE * 2 + 10);
    const res = await check(huge);
    expect(res.status.code).toBe(7);
    expect(res.denied_response.status.code).toBe('PayloadTooLarge');
    expect(JSON.parse(res.denied_response.body).error.code).toBe('request_too_large');
  });

  test('health: SERVING for the server and the Authorization service, NOT_FOUND for others', async () => {
    const health = healthClient(grpcPort(tg));
    const ask = (service: string) => new Promise<any>((resolve, reject) => health.Check({ service }, (err: unknown, res: unknown) => (err ? reject(err) : resolve(res))));
    await expect(ask('')).resolves.toEqual({ status: 'SERVING' });
    await expect(ask('envoy.service.auth.v3.Authorization')).resolves.toEqual({ status: 'SERVING' });
    await expect(ask('nope')).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
    const first = await new Promise<any>((resolve) => {
      const stream = health.Watch({ service: '' });
      stream.once('data', (msg: unknown) => {
        stream.cancel();
        resolve(msg);
      });
      stream.on('error', () => undefined);
    });
    expect(first).toEqual({ status: 'SERVING' });
    health.close();
  });
});

describe('envoy_grpc.enabled: false', () => {
  test('no gRPC port is opened', async () => {
    const tg = await startTollgate({ TOLLGATE_ENVOY_GRPC__ENABLED: 'false' });
    try {
      expect(tg.logs.find((l) => l.message === 'tollgate listening')?.grpc_port).toBeNull();
    } finally {
      await tg.stop();
    }
  });
});
