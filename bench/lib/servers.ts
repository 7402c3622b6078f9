import path from 'node:path';
import { benchBuildPath } from './bench-build.js';
import { freePort } from '../../test/helpers/ports.js';
import { jsonLineWithMessage, startServer, type ServerProcess } from './server-process.js';

export interface Placement {
  root: string;
  logDir: string;
  serverCpus: string;
}

/**
 * A Tollgate server as users run it: the built CLI, configured through TOLLGATE_* variables;
 * `nodeFlags` go to node before the script (e.g. --cpu-prof for bench/profile.ts).
 */
export async function startTollgate(place: Placement, name: string, env: Record<string, string>, nodeFlags: string[] = []): Promise<ServerProcess & { httpPort: number; adminPort: number }> {
  const server = await startServer({
    name,
    command: process.execPath,
    args: [...nodeFlags, path.join(place.root, 'bin', 'tollgate.js'), 'serve'],
    env: { TOLLGATE_HOST: '127.0.0.1', TOLLGATE_HTTP_PORT: '0', TOLLGATE_ADMIN_PORT: '0', TOLLGATE_GRPC_PORT: '0', ...env },
    cpus: place.serverCpus,
    logDir: place.logDir,
    readyWhen: jsonLineWithMessage('tollgate listening'),
  });
  return { ...server, httpPort: Number(server.ready.http_port), adminPort: Number(server.ready.admin_port) };
}

/**
 * The physical limits (bench/servers/bare-http.ts): bare node:http answering 200; with `json`, also
 * parsing the body and answering a decision-sized JSON document; with `policy`, also evaluating the
 * embedded bundle's decision in Wasm on the request's policy input.
 */
export async function startBare(place: Placement, mode?: 'json' | 'policy'): Promise<ServerProcess & { httpPort: number }> {
  const server = await startServer({
    name: mode ? `bare-${mode}` : 'bare-http',
    command: process.execPath,
    args: [benchBuildPath(place.root, 'servers', 'bare-http.js'), ...(mode === 'json' ? ['json'] : []), ...(mode === 'policy' ? ['policy', path.join(place.root, 'policies', 'build', 'bundle.tar.gz')] : [])],
    cpus: place.serverCpus,
    logDir: place.logDir,
    readyWhen: jsonLineWithMessage('bare listening'),
  });
  return { ...server, httpPort: Number(server.ready.http_port) };
}

/** The gRPC limits (bench/servers/bare-grpc.ts): bare node:http2 answering Check OK; with `policy`, after evaluating the embedded bundle's decision. */
export async function startBareGrpc(place: Placement, mode?: 'policy'): Promise<ServerProcess & { grpcPort: number }> {
  const server = await startServer({
    name: mode ? 'bare-grpc-policy' : 'bare-grpc',
    command: process.execPath,
    args: [benchBuildPath(place.root, 'servers', 'bare-grpc.js'), path.join(place.root, 'proto'), ...(mode ? [mode, path.join(place.root, 'policies', 'build', 'bundle.tar.gz')] : [])],
    cpus: place.serverCpus,
    logDir: place.logDir,
    readyWhen: jsonLineWithMessage('bare listening'),
  });
  return { ...server, grpcPort: Number(server.ready.grpc_port) };
}

/**
 * OPA's own server on the same Rego and data files, at log level error (its cheapest setting: no
 * per-request log lines).
 */
export async function startOpa(place: Placement, opa: string, files: string[]): Promise<ServerProcess & { httpPort: number }> {
  const port = await freePort();
  const server = await startServer({
    name: 'opa',
    command: opa,
    args: ['run', '--server', '--addr', `127.0.0.1:${port}`, '--log-level', 'error', '--disable-telemetry', ...files],
    cpus: place.serverCpus,
    logDir: place.logDir,
    readyWhen: async () => {
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
      return ok ? { http_port: port } : undefined;
    },
  });
  return { ...server, httpPort: port };
}
