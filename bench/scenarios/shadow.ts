import path from 'node:path';
import { withServer, type BenchContext } from '../lib/bench-context.js';
import { nativeAllowSpec, writeKeys } from '../lib/fixtures.js';
import { startTollgate } from '../lib/servers.js';

const META = { id: 'native-api-shadow', group: '2. native API', title: 'same, with policy.shadow evaluating a candidate on every decision (sample 1.0)', server: 'tollgate' } as const;

/**
 * (2b) The price of shadow evaluation: native-api-key's request with the embedded bundle also loaded
 * as the shadow candidate, so every decision evaluates policy twice. Compare CPU µs/req with native-api-key.
 */
export async function shadowCost(ctx: BenchContext): Promise<void> {
  if (!ctx.wanted(META.id)) return;
  const keysFile = path.join(ctx.workDir, 'shadow-keys.yaml');
  const secret = writeKeys(keysFile, 1, { subject: 'bench-app', models: ['gpt-4o*'] });
  const candidate = path.join(ctx.options.root, 'policies', 'build', 'bundle.tar.gz');
  await withServer(startTollgate(ctx.place, 'tollgate-shadow', { TOLLGATE_KEYS_FILE: keysFile, TOLLGATE_POLICY__SHADOW__BUNDLE: candidate }), (tollgate) => ctx.measure(META, tollgate, nativeAllowSpec(tollgate.httpPort, `Bearer ${secret}`), { shadow_sample: 1 }));
}
