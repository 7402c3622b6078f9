import path from 'node:path';
import { Client, credentials, loadPackageDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { RunningTollgate } from './tollgate.js';

/** Test clients built from proto/ with plain proto-loader (the Go test covers Envoy's own types). */
const definitions = loadSync(['envoy/service/auth/v3/external_auth.proto', 'grpc/health/v1/health.proto'], {
  includeDirs: [path.resolve('proto')], keepCase: true, longs: String, enums: String, defaults: false, oneofs: true,
});
const loaded = loadPackageDefinition(definitions) as any;

export type Check = (request: unknown) => Promise<any>;

export function grpcPort(tg: RunningTollgate): number {
  const line = tg.logs.find((l) => l.message === 'tollgate listening');
  if (typeof line?.grpc_port !== 'number') throw new Error('no grpc_port in the "tollgate listening" log line');
  return line.grpc_port;
}

export function authorizationClient(port: number): { check: Check; raw: (bytes: Buffer) => Promise<any>; close: () => void } {
  const client = new loaded.envoy.service.auth.v3.Authorization(`127.0.0.1:${port}`, credentials.createInsecure());
  const check = definitions['envoy.service.auth.v3.Authorization'] as any;
  const raw = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  return {
    check: (request) => new Promise((resolve, reject) => client.Check(request, (err: ServiceError | null, res: unknown) => (err ? reject(err) : resolve(res)))),
    // Sends arbitrary bytes as the CheckRequest, to test what the server does with undecodable input.
    raw: (bytes) => new Promise((resolve, reject) => {
      raw.makeUnaryRequest(check.Check.path, (b: Buffer) => b, check.Check.responseDeserialize, bytes, (err, res) => (err ? reject(err) : resolve(res)));
    }),
    close: () => { client.close(); raw.close(); },
  };
}

export function healthClient(port: number): any {
  return new loaded.grpc.health.v1.Health(`127.0.0.1:${port}`, credentials.createInsecure());
}

/** A CheckRequest the way Envoy builds one for an OpenAI-style call. */
export function chatCheck(model: string, headers: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    attributes: {
      source: { address: { socket_address: { address: '10.0.0.7', port_value: 50000 } } },
      request: {
        http: {
          method: 'POST', path: '/v1/chat/completions', host: 'llm.local', scheme: 'http', protocol: 'HTTP/1.1',
          headers: { ':method': 'POST', ':path': '/v1/chat/completions', ':authority': 'llm.local', 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
        },
      },
      ...extra,
    },
  };
}

export function headerMap(options: Array<{ header: { key: string; value: string } }> | undefined): Record<string, string> {
  return Object.fromEntries((options ?? []).map((o) => [o.header.key, o.header.value]));
}
