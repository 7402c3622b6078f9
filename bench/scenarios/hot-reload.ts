import { copyFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { withServer, type BenchContext } from '../lib/bench-context.js';
import { buildBundle, nativeAllowSpec, policyDir, subjectsData, writeKeys } from '../lib/fixtures.js';
import { startTollgate } from '../lib/servers.js';

const META = { id: 'hot-reload', group: '6. cost growth', title: 'bundle file replaced every 250 ms under load', server: 'tollgate' } as const;

/**
 * (6c) Hot reload under load: two bundles (different revisions) take turns at the watched path,
 * swapped by atomic rename as a deploy tool does, while wrk runs. Every answer must still be an allow.
 */
export async function hotReload(ctx: BenchContext): Promise<void> {
  if (!ctx.wanted(META.id)) return;
  const bundles = ['a', 'b'].map((rev) => {
    const dir = path.join(ctx.workDir, `reload-${rev}`);
    policyDir(ctx.options.root, dir, subjectsData(100));
    return buildBundle(ctx.options.opa, dir, path.join(ctx.workDir, `reload-${rev}.tar.gz`), `bench-${rev}`);
  });
  const served = path.join(ctx.workDir, 'served-bundle.tar.gz');
  copyFileSync(bundles[0], served);
  const keysFile = path.join(ctx.workDir, 'reload-keys.yaml');
  const secret = writeKeys(keysFile, 1, { subject: 'user-7', models: [] });
  const env = { TOLLGATE_KEYS_FILE: keysFile, TOLLGATE_POLICY_BUNDLE: served, TOLLGATE_POLICY__POLL_INTERVAL_MS: '100' };
  await withServer(startTollgate(ctx.place, META.id, env), async (tollgate) => {
    const reloadsBefore = await successfulReloads(tollgate.adminPort);
    let swaps = 0;
    const swapper = setInterval(() => {
      swaps++;
      const tmp = `${served}.tmp`;
      copyFileSync(bundles[swaps % 2], tmp);
      renameSync(tmp, served);
    }, 250);
    try {
      await ctx.measure(META, tollgate, nativeAllowSpec(tollgate.httpPort, `Bearer ${secret}`));
    } finally {
      clearInterval(swapper);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const result = ctx.find(META.id)!;
    result.facts = { ...result.facts, bundle_swaps: swaps, reloads: (await successfulReloads(tollgate.adminPort)) - reloadsBefore };
  });
}

async function successfulReloads(adminPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const m = /^tollgate_policy_reloads_total\{result="success"\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}
