import { statSync } from 'node:fs';
import path from 'node:path';
import { withServer, type BenchContext } from '../lib/bench-context.js';
import { buildBundle, nativeAllowSpec, policyDir, subjectsData, writeKeys } from '../lib/fixtures.js';
import { startTollgate } from '../lib/servers.js';

const GROUP = '6. cost growth';

/** (6a) Policy data grows: N subjects in data.tollgate.subjects; the caller's models come from data only. */
export async function subjectGrowth(ctx: BenchContext): Promise<void> {
  for (const count of ctx.options.subjectCounts) {
    const meta = { id: `subjects-${count}`, group: GROUP, title: `${count.toLocaleString('en')} subjects in policy data`, server: 'tollgate' } as const;
    if (!ctx.wanted(meta.id)) continue;
    const dir = path.join(ctx.workDir, meta.id);
    policyDir(ctx.options.root, dir, subjectsData(count));
    const bundle = buildBundle(ctx.options.opa, dir, path.join(ctx.workDir, `${meta.id}.tar.gz`), meta.id);
    const keysFile = path.join(ctx.workDir, `${meta.id}-keys.yaml`);
    const secret = writeKeys(keysFile, 1, { subject: `user-${Math.floor(count / 2)}`, models: [] });
    await withServer(startTollgate(ctx.place, meta.id, { TOLLGATE_KEYS_FILE: keysFile, TOLLGATE_POLICY_BUNDLE: bundle }), (tollgate) => ctx.measure(meta, tollgate, nativeAllowSpec(tollgate.httpPort, `Bearer ${secret}`), { subjects: count, bundle_kib: Math.round(statSync(bundle).size / 1024) }));
  }
}

/** (6b) The key store grows: K keys in the key file, one of them used. */
export async function keyGrowth(ctx: BenchContext): Promise<void> {
  for (const count of ctx.options.keyCounts) {
    const meta = { id: `keys-${count}`, group: GROUP, title: `${count.toLocaleString('en')} API keys loaded`, server: 'tollgate' } as const;
    if (!ctx.wanted(meta.id)) continue;
    const keysFile = path.join(ctx.workDir, `${meta.id}.yaml`);
    const secret = writeKeys(keysFile, count, { subject: 'bench-app', models: ['gpt-4o*'] });
    const started = Date.now();
    await withServer(startTollgate(ctx.place, meta.id, { TOLLGATE_KEYS_FILE: keysFile }), (tollgate) => {
      const startupMs = Date.now() - started;
      const idleRss = Math.round(tollgate.rssMiB());
      return ctx.measure(meta, tollgate, nativeAllowSpec(tollgate.httpPort, `Bearer ${secret}`), { keys: count, key_file_mib: Math.round(statSync(keysFile).size / 2 ** 20 * 10) / 10, startup_ms: startupMs, idle_rss_mib: idleRss });
    });
  }
}
