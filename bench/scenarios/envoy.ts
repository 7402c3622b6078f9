import { execFileSync } from 'node:child_process';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { withServer, type BenchContext } from '../lib/bench-context.js';
import { MODEL, writeKeys } from '../lib/fixtures.js';
import { runGhz } from '../lib/ghz.js';
import type { HttpRequestSpec } from '../lib/load-result.js';
import { cpuBusyPercent } from '../lib/machine.js';
import type { ScenarioResult } from '../lib/scenario-result.js';
import type { ServerProcess } from '../lib/server-process.js';
import { startBareGrpc, startTollgate } from '../lib/servers.js';

const GROUP = '4. Envoy ext_authz';
const HTTP = { id: 'envoy-http', group: GROUP, title: 'Envoy HTTP ext_authz (POST /ext_authz/v1/chat/completions), API key', server: 'tollgate' } as const;
const GRPC = { id: 'envoy-grpc', group: GROUP, title: 'Envoy gRPC ext_authz Check, API key (ghz, 1 HTTP/2 connection)', server: 'tollgate' } as const;
const BARE_GRPC = { id: 'bare-grpc', group: GROUP, title: 'gRPC limit: bare node:http2 decoding the CheckRequest and answering OK (bench/servers/bare-grpc.ts)', server: 'bare' } as const;
const BARE_GRPC_POLICY = { id: 'bare-grpc-policy', group: GROUP, title: 'gRPC limit with policy: that server also evaluating the default policy in Wasm on the request\'s input', server: 'bare' } as const;
export const PROTO = 'envoy/service/auth/v3/external_auth.proto';
export const CHECK_CALL = 'envoy.service.auth.v3.Authorization.Check';
const CHAT_BODY = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say hello in one word.' }], max_tokens: 16 });

/**
 * (4) The same chat call as Envoy asks about it: HTTP ext_authz (original request forwarded) and gRPC
 * Check, then the same Check answered by bare node:http2 servers (the gRPC floors).
 */
export async function envoy(ctx: BenchContext): Promise<void> {
  if (ctx.wanted(HTTP.id) || ctx.wanted(GRPC.id)) await envoyOnTollgate(ctx);
  const check = checkRequest(`tg_abcdefghijkl_${'x'.repeat(43)}`);
  for (const [scenario, mode] of [[BARE_GRPC, undefined], [BARE_GRPC_POLICY, 'policy']] as const) {
    if (ctx.wanted(scenario.id)) await withServer(startBareGrpc(ctx.place, mode), (bare) => measureChecks(ctx, scenario, bare, bare.grpcPort, check));
  }
}

async function envoyOnTollgate(ctx: BenchContext): Promise<void> {
  const keysFile = path.join(ctx.workDir, 'envoy-keys.yaml');
  const secret = writeKeys(keysFile, 1, { subject: 'bench-app', models: ['gpt-4o*'] });
  await withServer(startTollgate(ctx.place, 'tollgate-envoy', { TOLLGATE_KEYS_FILE: keysFile }), async (tollgate) => {
    if (ctx.wanted(HTTP.id)) {
      await ctx.measure(HTTP, tollgate, envoyHttpSpec(tollgate.httpPort, secret));
    }
    if (!ctx.wanted(GRPC.id)) return;
    const grpcPort = Number(tollgate.ready.grpc_port);
    if (!grpcPort) {
      ctx.notMeasured(GRPC, 'this build does not listen for Envoy gRPC');
      return;
    }
    const check = checkRequest(secret);
    await measureChecks(ctx, GRPC, tollgate, grpcPort, check);
  });
}

/**
 * Check load from ghz on one HTTP/2 connection, after the bench's warm-up; CPU per Check from the
 * server's /proc. One Check first must be an allow (ghz counts a deny as a success).
 */
async function measureChecks(ctx: BenchContext, scenario: Pick<ScenarioResult, 'id' | 'group' | 'title' | 'server'>, server: ServerProcess, port: number, check: Record<string, unknown>): Promise<void> {
  const code = await checkOnce(path.join(ctx.options.root, 'proto'), port, check);
  if (code !== 0) {
    ctx.notMeasured(scenario, `a Check answered status code ${code}, not OK (allow)`);
    return;
  }
  const ghz = execFileSync('bash', [path.join(ctx.options.root, 'bench', 'ghz.sh')], { encoding: 'utf8' }).trim();
  const options = {
    ghz, protoRoot: path.join(ctx.options.root, 'proto'), proto: PROTO, call: CHECK_CALL, target: `127.0.0.1:${port}`, data: check,
    concurrency: ctx.options.connections, channels: 1, cpus: ctx.options.loadCpus,
  };
  const warmedS = await ctx.warmUp(() => runGhz({ ...options, durationS: ctx.options.warmupS }));
  const backgroundCpu = await cpuBusyPercent(500);
  const cpuBefore = server.cpuSeconds();
  const load = await runGhz({ ...options, durationS: ctx.options.durationS });
  ctx.results.push({
    ...scenario, load, backgroundCpu, rssMiB: server.rssMiB(), peakRssMiB: server.peakRssMiB(),
    cpuUsPerRequest: ((server.cpuSeconds() - cpuBefore) * 1e6) / Math.max(1, load.requests),
    facts: { warmup_s: warmedS },
  });
}

/** Envoy HTTP ext_authz forwarding the chat call (the original path under /ext_authz); 200 is the allow. */
export function envoyHttpSpec(port: number, secret: string): HttpRequestSpec {
  return {
    url: `http://127.0.0.1:${port}/ext_authz/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', host: 'llm.internal', authorization: `Bearer ${secret}` },
    body: CHAT_BODY,
    expect: '',
  };
}

/** The CheckRequest Envoy sends for the chat call, as ghz and grpc-js take it (JSON). */
export function checkRequest(secret: string): Record<string, unknown> {
  return {
    attributes: {
      source: { address: { socket_address: { address: '10.0.0.7', port_value: 43210 } } },
      request: {
        http: {
          id: '1', method: 'POST', path: '/v1/chat/completions', host: 'llm.internal', scheme: 'https', protocol: 'HTTP/1.1',
          headers: { ':method': 'POST', ':path': '/v1/chat/completions', ':authority': 'llm.internal', 'content-type': 'application/json', authorization: `Bearer ${secret}` },
          body: CHAT_BODY,
        },
      },
    },
  };
}

/** One Check through @grpc/grpc-js before the load, so a run of denials is never mistaken for a result. */
export async function checkOnce(protoRoot: string, port: number, request: Record<string, unknown>): Promise<number> {
  const definition = loadSync(PROTO, { includeDirs: [protoRoot], keepCase: true, longs: Number, enums: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    envoy: { service: { auth: { v3: { Authorization: new (target: string, creds: grpc.ChannelCredentials) => grpc.Client & { Check: grpc.requestCallback<unknown> } } } } };
  };
  const client = new pkg.envoy.service.auth.v3.Authorization(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    const response = await new Promise<{ status?: { code?: number } }>((resolve, reject) => {
      (client.Check as unknown as (req: unknown, cb: (err: Error | null, res: { status?: { code?: number } }) => void) => void)(request, (err, res) => (err ? reject(err) : resolve(res)));
    });
    return response.status?.code ?? 0;
  } finally {
    client.close();
  }
}
