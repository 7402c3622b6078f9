import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { writeKeys as writeTestKeys } from '../../test/helpers/key-files.js';
import { CHECK_CALL, PROTO, checkOnce, checkRequest, envoyHttpSpec } from '../scenarios/envoy.js';
import { MODEL, nativeAllowSpec, policyInput, writeKeys } from './fixtures.js';
import { runGhz } from './ghz.js';
import type { LoadResult } from './load-result.js';
import type { startTollgate } from './servers.js';
import { runWrk } from './wrk.js';

export type TollgateServer = Awaited<ReturnType<typeof startTollgate>>;

export interface LoadOptions {
  root: string;
  durationS: number;
  connections: number;
  /** CPU list for taskset (the generator's core). */
  cpus: string;
}

/** One decision path to profile: the server's settings and the load that drives it (the bench scenario's request). */
export interface ProfilePath {
  id: string;
  title: string;
  /** Writes what the server needs under `dir`; returns its TOLLGATE_* settings and its load. */
  prepare(dir: string): { env: Record<string, string>; load: (server: TollgateServer, o: LoadOptions) => Promise<LoadResult> };
}

/** An API key granted the bench's model, and the settings that load it. */
function apiKey(dir: string): { secret: string; env: Record<string, string> } {
  const file = path.join(dir, 'keys.yaml');
  return { secret: writeKeys(file, 1, { subject: 'bench-app', models: ['gpt-4o*'] }), env: { TOLLGATE_KEYS_FILE: file } };
}

const wrk = (o: LoadOptions) => ({ durationS: o.durationS, connections: o.connections, cpus: o.cpus });

export const PROFILE_PATHS: readonly ProfilePath[] = [
  {
    id: 'native', title: 'native API (POST /v1/authorize, API key)',
    prepare: (dir) => {
      const { secret, env } = apiKey(dir);
      return { env, load: (s, o) => runWrk(nativeAllowSpec(s.httpPort, `Bearer ${secret}`), wrk(o)) };
    },
  },
  {
    id: 'envoy-http', title: 'Envoy HTTP ext_authz (POST /ext_authz/v1/chat/completions)',
    prepare: (dir) => {
      const { secret, env } = apiKey(dir);
      return { env, load: (s, o) => runWrk(envoyHttpSpec(s.httpPort, secret), wrk(o)) };
    },
  },
  {
    id: 'envoy-grpc', title: 'Envoy gRPC ext_authz Check (ghz, 1 HTTP/2 connection)',
    prepare: (dir) => {
      const { secret, env } = apiKey(dir);
      return {
        env,
        load: async (s, o) => {
          const protoRoot = path.join(o.root, 'proto');
          const port = Number(s.ready.grpc_port);
          const code = await checkOnce(protoRoot, port, checkRequest(secret));
          if (code !== 0) throw new Error(`a Check answered status code ${code}, not OK (allow)`);
          const ghz = execFileSync('bash', [path.join(o.root, 'bench', 'ghz.sh')], { encoding: 'utf8' }).trim();
          return runGhz({
            ghz, protoRoot, proto: PROTO, call: CHECK_CALL, target: `127.0.0.1:${port}`, data: checkRequest(secret),
            durationS: o.durationS, concurrency: o.connections, channels: 1, cpus: o.cpus,
          });
        },
      };
    },
  },
  {
    id: 'data-api', title: 'OPA Data API (POST /v1/data/tollgate/authz/decision, raw input)',
    prepare: () => ({
      env: { TOLLGATE_ADAPTERS__DATA_API__ENABLED: 'true' },
      load: (s, o) => runWrk({
        url: `http://127.0.0.1:${s.httpPort}/v1/data/tollgate/authz/decision`, method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: policyInput('bench-app') }), expect: '"allow":true',
      }, wrk(o)),
    }),
  },
  {
    id: 'authzen', title: 'AuthZEN single evaluation (POST /access/v1/evaluation)',
    prepare: (dir) => {
      const file = path.join(dir, 'keys.yaml');
      const [pep, agent] = writeTestKeys(file, [{ subject: 'bench-pep', scopes: ['authzen'] }, { subject: 'bench-agent', models: ['gpt-4o*'] }]);
      return {
        env: { TOLLGATE_KEYS_FILE: file, TOLLGATE_ADAPTERS__AUTHZEN__ENABLED: 'true' },
        load: (s, o) => runWrk({
          url: `http://127.0.0.1:${s.httpPort}/access/v1/evaluation`, method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${pep.secret}` },
          body: JSON.stringify({ subject: { type: 'api_key', id: agent.id }, action: { name: 'invoke' }, resource: { type: 'model', id: 'gpt-4o' } }),
          expect: '"decision":true',
        }, wrk(o)),
      };
    },
  },
  {
    id: 'forward-auth', title: 'forward-auth (GET /forward-auth, Caddy headers, model header)',
    prepare: (dir) => {
      const { secret, env } = apiKey(dir);
      // No body reaches forward-auth: the model comes from the proxy's header, and the upstream must
      // not run body-named fallbacks (else the model is unknown and the default policy denies).
      return {
        env: { ...env, TOLLGATE_ADAPTERS__FORWARD_AUTH__MODEL_HEADER: 'X-Tollgate-Model', TOLLGATE_UPSTREAM__BODY_FALLBACKS: 'false' },
        load: (s, o) => runWrk({
          url: `http://127.0.0.1:${s.httpPort}/forward-auth`, method: 'GET', body: '', expect: '',
          headers: {
            authorization: `Bearer ${secret}`, 'x-forwarded-method': 'POST', 'x-forwarded-uri': '/v1/chat/completions',
            'x-forwarded-host': 'llm.internal', 'x-tollgate-model': MODEL,
          },
        }, wrk(o)),
      };
    },
  },
];
