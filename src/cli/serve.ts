import cluster from 'node:cluster';
import { collectGarbage } from '../common/collect-garbage.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { clusterProblems, workerCount } from '../server/cluster/worker-count.js';
import { UsageError, type Command } from './args.js';

const serveFlags = { config: { type: 'string' } } as const;

export const serveCommand: Command<typeof serveFlags> = {
  name: 'tollgate serve',
  usage: '[--config FILE]',
  help: `Runs the sidecar until SIGTERM or SIGINT, then drains and exits 0.

  --config FILE   YAML configuration (default: TOLLGATE_CONFIG, else the embedded defaults);
                  TOLLGATE_* environment variables override it
An invalid configuration exits 2 naming every bad key; a failure to start exits 1.
With server.workers > 1 this process forks the workers and serves the admin port (docs/operations.md).`,
  flags: serveFlags,
  positionals: [],
  run: (flags) => serve(flags.config),
};

async function serve(configPath: string | undefined): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, configPath ?? process.env.TOLLGATE_CONFIG);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const workers = workerCount(config);
  const problems = clusterProblems(config, workers);
  if (problems.length > 0) throw new UsageError(new ConfigError(problems).message);
  if (workers > 1 && cluster.isPrimary) {
    const { runPrimary } = await import('../server/cluster/primary.js');
    return runPrimary(config, workers);
  }
  // Loaded here, not at startup: the other commands do not pay for the whole server.
  const { TollgateApp } = await import('../app.js');
  if (workers > 1) {
    const [{ runWorker }, { PeerDecisions }] = await Promise.all([import('../server/cluster/worker.js'), import('../server/cluster/peer-decisions.js')]);
    const peers = new PeerDecisions();
    const app = new TollgateApp(config, { adminPort: false, reloadsFromPrimary: true, decisionsElsewhere: peers.find });
    return runWorker(app, peers).catch(async (err: Error) => {
      process.stderr.write(`tollgate worker ${process.pid}: failed to start: ${err.message}\n`);
      await app.stop().catch(() => undefined);
      process.disconnect?.(); // the IPC channel would keep this process alive
      return 1;
    });
  }
  const app = new TollgateApp(config);
  try {
    await app.start();
  } catch (err) {
    app.loggers.app.error('tollgate failed to start', { error: (err as Error).message });
    process.stderr.write(`tollgate: failed to start: ${(err as Error).message}\n`);
    await app.stop().catch(() => undefined);
    return 1;
  }
  // What starting left behind (the key file's text, the bundle's compilation) is not kept resident.
  collectGarbage();
  return new Promise((resolve) => {
    const shutdown = (signal: string) => {
      app.loggers.app.info('shutting down', { signal });
      app.stop().then(() => resolve(0), () => resolve(1));
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });
}
