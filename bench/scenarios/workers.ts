import path from 'node:path';
import { withServer, type BenchContext } from '../lib/bench-context.js';
import { nativeAllowSpec, writeKeys } from '../lib/fixtures.js';
import { startTollgate } from '../lib/servers.js';

const WORKERS = 2;
const META = { id: 'native-api-key-workers-2', group: '2. native API', title: 'same with server.workers: 2 (node:cluster; server on CPUs 0-1, wrk on 1)', server: 'tollgate' } as const;

/**
 * native-api-key served by two cluster workers. The server (primary and workers) may use the
 * server's CPU and the load generator's: on a two-core machine there is no third core, so the second
 * worker shares its core with wrk, and req/s is not a scaling figure. CPU µs/request (the whole
 * process tree's) is: compare it with native-api-key for the cluster's own cost.
 */
export async function workers(ctx: BenchContext): Promise<void> {
  if (!ctx.wanted(META.id)) return;
  const keysFile = path.join(ctx.workDir, 'workers-keys.yaml');
  const secret = writeKeys(keysFile, 1, { subject: 'bench-app', models: ['gpt-4o*'] });
  const serverCpus = `${ctx.options.serverCpus},${ctx.options.loadCpus}`;
  const place = { ...ctx.place, serverCpus };
  await withServer(startTollgate(place, 'tollgate-workers', { TOLLGATE_KEYS_FILE: keysFile, TOLLGATE_SERVER__WORKERS: String(WORKERS) }), async (tollgate) => {
    const spec = nativeAllowSpec(tollgate.httpPort, `Bearer ${secret}`);
    const ready = await (await fetch(`http://127.0.0.1:${tollgate.adminPort}/readyz`)).json() as { workers: Array<{ decisions: number }> };
    const result = await ctx.measure(META, tollgate, spec, { workers: WORKERS, server_cpus: serverCpus, load_cpus: ctx.options.loadCpus });
    // How round robin spread the connections: each worker's share of the decisions.
    const after = await (await fetch(`http://127.0.0.1:${tollgate.adminPort}/readyz`)).json() as { workers: Array<{ decisions: number }> };
    const shares = after.workers.map((w, i) => w.decisions - (ready.workers[i]?.decisions ?? 0));
    const total = shares.reduce((a, b) => a + b, 0);
    result.facts = { ...result.facts, decisions_per_worker: shares.map((s) => `${Math.round((100 * s) / Math.max(1, total))}%`).join('/') };
  });
}
