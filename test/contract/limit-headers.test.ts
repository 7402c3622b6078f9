import path from 'node:path';
import { authorizationClient, chatCheck, grpcPort, headerMap } from '../helpers/grpc-client.js';
import { EnvoyHttpEmulator } from '../helpers/envoy-http-emulator.js';
import { send } from '../helpers/gateway-peers.js';
import { postJson, startTollgate, tempDir, writeFile, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

/** What a client (or the gateway's rate limiter) gets from one check: the verdict and the headers for the client's response. */
interface Seen { allow: boolean; status: number; headers: Record<string, string> }
type Driver = (secret: string) => Promise<Seen>;

const CONFIG = `
limits:
  rules:
    - name: per-caller
      match: { subject: "svc-*" }
      rpm: 2
      tpm: 100000
`;
const GATEWAYS = ['native', 'envoy_http', 'envoy_grpc', 'forward_auth', 'kong'] as const;
const RATE_HEADERS = ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests', 'x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens'];
const GO_DURATION = /^(\d+h)?(\d+m)?\d+s$|^\d+ms$/;

describe('rate-limit headers through every adapter', () => {
  let tg: RunningTollgate;
  let grpc: ReturnType<typeof authorizationClient>;
  const keys: Record<string, TestKey> = {};
  const drivers: Record<string, Driver> = {};
  beforeAll(async () => {
    const dir = tempDir();
    const file = path.join(dir, 'keys.yaml');
    const callers = [...GATEWAYS, 'metadata'];
    const written = writeKeys(file, callers.map((c) => ({ subject: `svc-${c}`, models: ['gpt-4o*'] })));
    callers.forEach((c, i) => { keys[c] = written[i]; });
    // A fixed clock: a minute turning mid-test would start a fresh rpm window.
    const now = Date.UTC(2026, 0, 1, 12, 0, 5);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file, TOLLGATE_UPSTREAM__BODY_FALLBACKS: 'false' }, writeFile(dir, 'tollgate.yaml', CONFIG), () => now);
    const envoyHttp = new EnvoyHttpEmulator(Number(new URL(tg.url).port));
    grpc = authorizationClient(grpcPort(tg));
    const azurePath = '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21';
    drivers.native = async (secret) => {
      const { json } = await postJson(`${tg.url}/v1/authorize`, { method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${secret}` }, body: { model: 'gpt-4o' } });
      return { allow: json.allow, status: json.status, headers: json.response_headers };
    };
    drivers.envoy_http = async (secret) => {
      const out = await envoyHttp.check({ method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: '{"model":"gpt-4o"}' });
      return { allow: out.allowed, status: out.allowed ? 200 : out.status, headers: out.clientHeaders };
    };
    drivers.envoy_grpc = async (secret) => {
      const res = await grpc.check(chatCheck('gpt-4o', { authorization: `Bearer ${secret}` }));
      if (res.status.code === 0) return { allow: true, status: 200, headers: headerMap(res.ok_response.response_headers_to_add) };
      return { allow: false, status: res.denied_response.status.code === 'TooManyRequests' ? 429 : -1, headers: headerMap(res.denied_response.headers) };
    };
    drivers.forward_auth = async (secret) => {
      const res = await send(`${tg.url}/forward-auth`, { headers: { authorization: `Bearer ${secret}`, 'x-forwarded-method': 'POST', 'x-forwarded-uri': azurePath, 'x-forwarded-host': 'llm.example' } });
      return { allow: res.status === 200, status: res.status, headers: Object.fromEntries(res.headers) };
    };
    // Kong's OPA plugin has no client headers on allow (the pre-function integration copies response_headers instead).
    drivers.kong = async (secret) => {
      const { json } = await postJson(`${tg.url}/v1/data/tollgate/kong`, {
        input: { request: { http: { host: 'llm.example', port: '8000', method: 'POST', scheme: 'http', path: '/v1/chat/completions', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: '{"model":"gpt-4o"}' } }, client_ip: '127.0.0.1' },
      });
      return { allow: json.result.allow, status: json.result.allow ? 200 : json.result.status, headers: json.result.headers ?? {} };
    };
  });
  afterAll(async () => {
    grpc?.close();
    await tg?.stop();
  });

  test.each(GATEWAYS)('%s: allows carry x-ratelimit-*, the third call in a minute is a 429 with retry-after and the same headers', async (gateway) => {
    const call = () => drivers[gateway](keys[gateway].secret);
    const first = await call();
    expect(first).toMatchObject({ allow: true, status: 200 });
    if (gateway !== 'kong') {
      expect(first.headers).toMatchObject({ 'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-limit-tokens': '100000' });
      for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']) expect(first.headers[name]).toMatch(GO_DURATION);
    }
    expect((await call()).allow).toBe(true);
    const denied = await call();
    expect(denied).toMatchObject({ allow: false, status: 429 });
    for (const name of RATE_HEADERS) expect(denied.headers[name]).toBeDefined();
    expect(denied.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(Number(denied.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  test('envoy_grpc: an allow carries the per-caller limit as ext_authz dynamic metadata for Envoy Gateway limit.fromMetadata (no Envoy here: the gRPC client reads the CheckResponse)', async () => {
    const res = await grpc.check(chatCheck('gpt-4o', { authorization: `Bearer ${keys.metadata.secret}` }));
    const meta = res.dynamic_metadata.fields;
    expect(meta.tollgate_requests.structValue.fields).toEqual({ requests_per_unit: { numberValue: 2, kind: 'numberValue' }, unit: { stringValue: 'MINUTE', kind: 'stringValue' } });
    expect(meta.tollgate_tokens.structValue.fields.requests_per_unit.numberValue).toBe(100000);
  });
});
