import { existsSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { HTTP_ADAPTERS } from '../../src/adapters/registry.js';
import { authorizationClient, grpcPort } from '../helpers/grpc-client.js';
import { EnvoyHttpEmulator } from '../helpers/envoy-http-emulator.js';
import { send } from '../helpers/gateway-peers.js';
import { postJson, startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

/** One logical request: an Azure-style chat call, so the model is visible even to forward-auth (no body). */
interface Logical { method: string; path: string; host: string; headers: Record<string, string>; body: string }
interface Outcome { allow: boolean; status: number; reason: string }
/** Sends one logical request the way its gateway would, and reads the gateway's verdict from the answer. */
type Driver = (req: Logical) => Promise<{ allow: boolean; status: number }>;

/** Every gateway that authorises: the registered HTTP adapters (not the raw Data API) and the Envoy gRPC transport. */
const GATEWAYS = [...HTTP_ADAPTERS.filter((a) => a.authorizes).map((a) => a.gateway), 'envoy_grpc'];

/**
 * Adapters that do not authorise the gateway request in hand cannot be driven by these cases: the Data
 * API evaluates caller-written input, AuthZEN answers a PEP's questions about subjects it names. Each
 * has its own contract test.
 */
const OWN_CONTRACT: Record<string, string> = { opa_data_api: 'test/e2e/opa-data-api.test.ts', authzen: 'test/contract/authzen.test.ts' };

const chat = (model: string, headers: Record<string, string>): Logical => ({
  method: 'POST', path: `/openai/deployments/${model}/chat/completions?api-version=2024-10-21`, host: 'llm.example',
  headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
});

/** envoy.type.v3.StatusCode names the gRPC client decodes, for the statuses these cases produce. */
const GRPC_HTTP_STATUS: Record<string, number> = { Unauthorized: 401, Forbidden: 403, TooManyRequests: 429, BadRequest: 400 };

describe('the same policy decides the same way through every adapter', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  let pep: TestKey;
  let grpc: ReturnType<typeof authorizationClient>;
  const drivers: Record<string, Driver> = {};
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key, pep] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }, { subject: 'pep', scopes: ['authzen'] }]);
    // An upstream that runs no fallbacks from the body (not LiteLLM): the path's deployment is then the
    // only model even for forward-auth, which forwards no body, so every adapter can decide alike.
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file, TOLLGATE_UPSTREAM__BODY_FALLBACKS: 'false', TOLLGATE_ADAPTERS__AUTHZEN__ENABLED: 'true' });
    const envoyHttp = new EnvoyHttpEmulator(Number(new URL(tg.url).port));
    grpc = authorizationClient(grpcPort(tg));
    drivers.native = async (r) => {
      const res = await postJson(`${tg.url}/v1/authorize`, { method: r.method, path: r.path, headers: { host: r.host, ...r.headers }, body: r.body });
      return { allow: res.json.allow, status: res.json.status };
    };
    drivers.envoy_http = async (r) => {
      const out = await envoyHttp.check({ method: r.method, path: r.path, host: r.host, headers: r.headers, body: r.body });
      return out.allowed ? { allow: true, status: 200 } : { allow: false, status: out.status };
    };
    drivers.envoy_grpc = async (r) => {
      const q = r.path.indexOf('?');
      const res = await grpc.check({
        attributes: {
          request: {
            http: {
              method: r.method, path: r.path, host: r.host, scheme: 'http', protocol: 'HTTP/1.1', body: r.body,
              headers: { ':method': r.method, ':path': r.path, ':authority': r.host, ...r.headers }, query: r.path.slice(q + 1),
            },
          },
        },
      });
      return res.status.code === 0 ? { allow: true, status: 200 } : { allow: false, status: GRPC_HTTP_STATUS[res.denied_response.status.code] };
    };
    drivers.kong = async (r) => {
      const q = r.path.indexOf('?');
      const res = await postJson(`${tg.url}/v1/data/tollgate/kong`, {
        input: {
          request: { http: { host: r.host, port: '8000', method: r.method, scheme: 'http', path: r.path.slice(0, q), querystring: Object.fromEntries(new URLSearchParams(r.path.slice(q + 1))), headers: r.headers, body: r.body } },
          client_ip: '127.0.0.1',
        },
      });
      return { allow: res.json.result.allow, status: res.json.result.allow ? 200 : res.json.result.status };
    };
    drivers.forward_auth = async (r) => {
      const res = await send(`${tg.url}/forward-auth`, { headers: { ...r.headers, 'x-forwarded-method': r.method, 'x-forwarded-uri': r.path, 'x-forwarded-host': r.host } });
      return { allow: res.status === 200, status: res.status };
    };
  });
  afterAll(async () => {
    grpc?.close();
    await tg?.stop();
  });

  const cases: Array<{ name: string; request: () => Logical; want: Outcome }> = [
    { name: 'granted key and model', request: () => chat('gpt-4o', { authorization: `Bearer ${key.secret}` }), want: { allow: true, status: 200, reason: 'allowed' } },
    { name: 'model not granted', request: () => chat('o1', { 'x-api-key': key.secret }), want: { allow: false, status: 403, reason: 'model_not_allowed' } },
    { name: 'no credential', request: () => chat('gpt-4o', {}), want: { allow: false, status: 401, reason: 'unauthenticated' } },
    { name: 'bad key', request: () => chat('gpt-4o', { authorization: `Bearer ${key.secret.slice(0, -4)}AAAA` }), want: { allow: false, status: 401, reason: 'credential_invalid' } },
  ];

  test('every gateway that authorises has a driver here, and every driver a gateway', () => {
    expect(Object.keys(drivers).sort()).toEqual([...GATEWAYS].sort());
  });

  test.each(HTTP_ADAPTERS.filter((a) => !a.authorizes).map((a) => a.gateway))('%s, which authorises no gateway request, has its own contract test', (gateway) => {
    expect(OWN_CONTRACT[gateway]).toBeDefined();
    expect(existsSync(path.join(packageRoot(), OWN_CONTRACT[gateway]))).toBe(true);
  });

  // The default AuthZEN policy decides on the same grants: asked about the key as a subject, it agrees.
  test.each([['gpt-4o', true], ['o1', false]])('AuthZEN, asked whether the key may invoke %s, answers as the gateways decide', async (model, allow) => {
    const res = await postJson(`${tg.url}/access/v1/evaluation`, {
      subject: { type: 'api_key', id: key.id }, action: { name: 'invoke' }, resource: { type: 'model', id: model },
    }, { authorization: `Bearer ${pep.secret}` });
    const gateway = await drivers.native(chat(model, { authorization: `Bearer ${key.secret}` }));
    expect([res.json.decision, gateway.allow]).toEqual([allow, allow]);
  });

  test.each(cases)('$name', async ({ request, want }) => {
    const got: Record<string, Outcome> = {};
    for (const name of GATEWAYS) {
      const driver = drivers[name];
      if (!driver) throw new Error(`no test driver for the ${name} adapter`);
      const { allow, status } = await driver(request());
      const audit = tg.decisions().at(-1)!;
      expect(audit.gateway).toBe(name);
      got[name] = { allow, status, reason: audit.reason as string };
    }
    expect(got).toEqual(Object.fromEntries(GATEWAYS.map((name) => [name, want])));
  });
});
