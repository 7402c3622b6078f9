import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { createLogger, transports } from 'winston';
import type { TollgateConfig } from '../../config/schema.js';
import { jsonLineFormat } from '../../observability/json-line.js';
import { adminAccess } from '../admin-access.js';
import { createClusterAdminApp } from './cluster-admin.js';
import { LineRelay } from './line-relay.js';
import { SharedReloads } from './shared-reloads.js';
import { WorkerPool } from './worker-pool.js';

/**
 * server.workers > 1: this process forks the workers (each a whole Tollgate serving 8181/9191 on
 * sockets node:cluster shares), serves the admin port for all of them, restarts a crashed one, and
 * drains them all on SIGTERM/SIGINT. Resolves with the exit code.
 */
export async function runPrimary(config: TollgateConfig, workers: number): Promise<number> {
  const { server } = config;
  const log = createLogger({ level: config.log.level, format: jsonLineFormat(), transports: [new transports.Console()] });
  const access = adminAccess(server.admin_host, server.admin_token_file);
  const registry = new Registry();
  const restarts = new Counter({ name: 'tollgate_worker_restarts_total', help: 'Workers (server.workers) restarted after they exited.', registers: [registry] });
  const relay = new LineRelay(process.stdout);
  // Workers' stdout is piped here (silent), so their lines reach the real stdout whole; stderr is inherited.
  cluster.setupPrimary({ silent: true });
  // A signal during the start is kept and acted on once the workers listen (they drain as usual).
  let signalled: string | null = null;
  let shutdown = (why: string) => {
    signalled ??= why;
  };
  // Kept for the whole drain: a repeated signal (a terminal's second Ctrl-C) must not kill the primary and cut the workers' audit pipes.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const pool = new WorkerPool({
    count: workers, log, shutdownTimeoutMs: server.shutdown_timeout_ms,
    stdout: (s) => relay.add(s), restarted: () => restarts.inc(), gaveUp: () => shutdown('crash_loop'),
  });
  let ports;
  try {
    ports = await pool.start();
  } catch (err) {
    log.error('tollgate failed to start', { error: (err as Error).message });
    process.stderr.write(`tollgate: failed to start: ${(err as Error).message}\n`);
    await pool.stop();
    return 1;
  }
  const reloads = new SharedReloads(pool, config, log);
  reloads.start();
  const admin = createServer(createClusterAdminApp({ pool, reloads, workers, access, registry }));
  const adminPort = await new Promise<number>((resolve, reject) => {
    admin.once('error', reject);
    admin.listen(server.admin_port, server.admin_host, () => resolve((admin.address() as AddressInfo).port));
  }).catch(async (err: Error) => {
    log.error('tollgate failed to start', { error: err.message });
    reloads.stop();
    await pool.stop();
    return null;
  });
  if (adminPort === null) return 1;
  log.info('tollgate listening', {
    host: server.host, http_port: ports.http, admin_host: server.admin_host, admin_port: adminPort, grpc_port: ports.grpc,
    workers, worker_pids: Object.values(cluster.workers ?? {}).map((w) => w?.process.pid),
  });
  return new Promise((resolve) => {
    let exitCode = 0;
    shutdown = (why: string) => {
      shutdown = () => undefined;
      if (why === 'crash_loop') exitCode = 1;
      log.info('shutting down', { signal: why, workers: pool.size });
      reloads.stop();
      admin.close();
      admin.closeAllConnections();
      pool.stop().then((clean) => {
        log.info('all workers exited', { clean });
        log.on('finish', () => resolve(clean ? exitCode : 1));
        log.end();
      }, () => resolve(1));
    };
    if (signalled !== null) shutdown(signalled);
  });
}
