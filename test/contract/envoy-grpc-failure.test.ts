import { createLogger, transports } from 'winston';
import { PassThrough } from 'node:stream';
import { EnvoyGrpcServer } from '../../src/adapters/envoy-grpc/server.js';
import type { Pipeline } from '../../src/core/pipeline.js';
import { authorizationClient, chatCheck } from '../helpers/grpc-client.js';

describe('Envoy ext_authz gRPC server on an internal failure', () => {
  test('answers a well-formed 500 deny, never a gRPC error', async () => {
    const broken = { authorize: () => Promise.reject(new Error('boom')), reject: () => { throw new Error('boom'); } } as unknown as Pipeline;
    const logged: string[] = [];
    const stream = new PassThrough().on('data', (c: Buffer) => logged.push(c.toString()));
    const server = new EnvoyGrpcServer(broken, {
      host: '127.0.0.1', port: 0, maxReceiveBytes: 1024 * 1024,
      keepalive: { time_ms: 60_000, timeout_ms: 20_000 }, maxConcurrentStreams: 100, readTimeoutMs: 5000,
      policyLoaded: () => true,
      log: createLogger({ transports: [new transports.Stream({ stream })] }),
    });
    const client = authorizationClient(await server.listen());
    try {
      for (const request of [chatCheck('gpt-4o', {}), {}]) {
        const res = await client.check(request);
        expect(res.status.code).toBe(7);
        expect(res.denied_response.status.code).toBe('InternalServerError');
        expect(JSON.parse(res.denied_response.body).error.code).toBe('internal_error');
      }
      expect(logged.join('')).toContain('ext_authz check failed');
    } finally {
      client.close();
      await server.close(1000);
    }
  });
});
