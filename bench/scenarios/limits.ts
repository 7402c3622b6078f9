import path from 'node:path';
import { withServer, type BenchContext } from '../lib/bench-context.js';
import { nativeAllowSpec, writeKeys } from '../lib/fixtures.js';
import { startTollgate } from '../lib/servers.js';

const META = { id: 'native-api-limits-memory', group: '2. native API', title: 'same, with rpm, tpm and a monthly token budget in memory (never reached)', server: 'tollgate' } as const;
/** Limits high enough never to deny: this prices admission (and its headers and input.limits), not refusal. */
const RULES = '[{name: bench, match: {subject: bench-*}, rpm: 1000000000, tpm: 1000000000, token_budget: 1000000000000/1mo}]';

/** (2c) The price of limits in memory: native-api-key's request with three limits applying. Compare CPU µs/req with native-api-key. */
export async function limitsCost(ctx: BenchContext): Promise<void> {
  if (!ctx.wanted(META.id)) return;
  const keysFile = path.join(ctx.workDir, 'limits-keys.yaml');
  const secret = writeKeys(keysFile, 1, { subject: 'bench-app', models: ['gpt-4o*'] });
  await withServer(startTollgate(ctx.place, 'tollgate-limits', { TOLLGATE_KEYS_FILE: keysFile, TOLLGATE_LIMITS__RULES: RULES }), (tollgate) => ctx.measure(META, tollgate, nativeAllowSpec(tollgate.httpPort, `Bearer ${secret}`), { limits: 3 }));
}
