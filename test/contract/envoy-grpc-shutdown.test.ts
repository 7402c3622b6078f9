import { PassThrough } from 'node:stream';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { createLogger, transports } from 'winston';
import { EnvoyGrpcServer } from '../../src/adapters/envoy-grpc/server.js';
import type { Pipeline } from '../../src/core/pipeline.js';
import { authorizationClient, chatCheck, healthClient } from '../helpers/grpc-client.js';

/** A pipeline that takes 300 ms and then fails, which the server answers as a 500 deny. */
const slow = {
  authorize: () => new Promise((_resolve, reject) => setTimeout(() => reject(new Error('slow')), 300)),
  reject: () => { throw new Error('unused'); },
} as unknown as Pipeline;

describe('Envoy ext_authz gRPC server shutdown', () => {
  test('health Watch turns NOT_SERVING and ends with OK, an in-flight Check still gets its answer, new calls are refused', async () => {
    const server = new EnvoyGrpcServer(slow, {
      host: '127.0.0.1', port: 0, maxReceiveBytes: 1024 * 1024,
      keepalive: { time_ms: 60_000, timeout_ms: 20_000 }, maxConcurrentStreams: 100, readTimeoutMs: 5000,
      policyLoaded: () => true,
      log: createLogger({ transports: [new transports.Stream({ stream: new PassThrough() })] }),
    });
    const port = await server.listen();
    const client = authorizationClient(port);
    const health = healthClient(port);
    try {
      const watched: unknown[] = [];
      const watchEnded = new Promise<{ code: number }>((resolve) => {
        const stream = health.Watch({ service: '' });
        stream.on('data', (msg: unknown) => watched.push(msg));
        stream.on('status', resolve);
        stream.on('error', () => undefined);
      });
      await new Promise((r) => setTimeout(r, 100));
      const inFlight = client.check(chatCheck('gpt-4o', {}));
      await new Promise((r) => setTimeout(r, 100));
      const closed = server.close(5000);

      await expect(watchEnded).resolves.toMatchObject({ code: GrpcStatus.OK });
      expect(watched).toEqual([{ status: 'SERVING' }, { status: 'NOT_SERVING' }]);
      const answer = await inFlight;
      expect(answer.status.code).toBe(7);
      expect(answer.denied_response.status.code).toBe('InternalServerError');
      await closed;
      await expect(client.check(chatCheck('gpt-4o', {}))).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    } finally {
      client.close();
      health.close();
    }
  });
});
