import path from 'node:path';
import { runFixedRate } from '../lib/autocannon.js';
import { withServer, type BenchContext } from '../lib/bench-context.js';
import { quantileBetween, scrapeDecisionBuckets } from '../lib/decision-histogram.js';
import { cpuBusyPercent } from '../lib/machine.js';
import { nativeAllowSpec, writeKeys } from '../lib/fixtures.js';
import { startTollgate } from '../lib/servers.js';

const PEAK = { id: 'native-api-key', group: '2. native API', title: 'POST /v1/authorize, API key, default policy', server: 'tollgate' } as const;
const HALF = { id: 'native-api-key-half-peak', group: '2. native API', title: 'same at a fixed rate of half its peak (server-side decision time)', server: 'tollgate' } as const;

/** (2) Native API with an API key, at peak; then at half of that peak, with the server's own decision-time histogram. */
export async function nativeApi(ctx: BenchContext): Promise<void> {
  if (!ctx.wanted(PEAK.id)) return;
  const keysFile = path.join(ctx.workDir, 'native-keys.yaml');
  const secret = writeKeys(keysFile, 1, { subject: 'bench-app', models: ['gpt-4o*'] });
  await withServer(startTollgate(ctx.place, 'tollgate-native', { TOLLGATE_KEYS_FILE: keysFile }), async (tollgate) => {
    const spec = nativeAllowSpec(tollgate.httpPort, `Bearer ${secret}`);
    const peak = await ctx.measure(PEAK, tollgate, spec);
    const rate = peak.load!.rps / 2;
    const before = await scrapeDecisionBuckets(tollgate.adminPort, 'native');
    const backgroundCpu = await cpuBusyPercent(500);
    const load = await runFixedRate(spec, { durationS: ctx.options.durationS, connections: ctx.options.connections, rate, cpus: ctx.options.loadCpus });
    const after = await scrapeDecisionBuckets(tollgate.adminPort, 'native');
    ctx.results.push({
      ...HALF, load, backgroundCpu, rssMiB: tollgate.rssMiB(), peakRssMiB: tollgate.peakRssMiB(),
      serverDecisionP99: quantileBetween(before, after, 0.99), facts: { offered_rate: Math.round(rate) },
    });
  });
}
