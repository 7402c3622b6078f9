import path from 'node:path';
import { withServer, type BenchContext } from '../lib/bench-context.js';
import { nativeAllowSpec, writeKeys } from '../lib/fixtures.js';
import { startTollgate } from '../lib/servers.js';
import { runWrk } from '../lib/wrk.js';

const GROUP = '7. cost after decisions served';
const EARLY = { id: 'served-early', group: GROUP, title: 'native API, before the recent-decisions memory is full', server: 'tollgate' } as const;
const LATE = { id: 'served-late', group: GROUP, title: 'same server after 3x its recent-decisions memory has been served', server: 'tollgate' } as const;

/**
 * (7) One server measured twice: while its recent-decisions memory (outcomes.remember_decisions)
 * still has room, and after three times that many decisions, when every allow evicts the oldest.
 * An eviction that is not O(1) makes the second figure several times the first (issue 15).
 */
export async function decisionsServed(ctx: BenchContext): Promise<void> {
  if (!ctx.wanted(EARLY.id) && !ctx.wanted(LATE.id)) return;
  const remembered = ctx.options.rememberDecisions;
  const keysFile = path.join(ctx.workDir, 'served-keys.yaml');
  const secret = writeKeys(keysFile, 1, { subject: 'bench-app', models: ['gpt-4o*'] });
  // Decisions are remembered only when outcomes can be reported, i.e. with a hook token.
  const env = { TOLLGATE_KEYS_FILE: keysFile, TOLLGATE_OUTCOMES__REMEMBER_DECISIONS: String(remembered), TOLLGATE_OUTCOMES__HOOK_TOKEN: 'bench-hook-token-0123456789' };
  await withServer(startTollgate(ctx.place, 'tollgate-served', env), async (tollgate) => {
    const spec = nativeAllowSpec(tollgate.httpPort, `Bearer ${secret}`);
    const served = () => decisionsTotal(tollgate.adminPort);
    const early = await ctx.measure(EARLY, tollgate, spec, { remember_decisions: remembered });
    early.facts = { ...early.facts, decisions_served_after: await served() };
    const goal = 3 * remembered;
    const deadline = Date.now() + ctx.options.maxFillS * 1000;
    while (await served() < goal) {
      if (Date.now() > deadline) {
        ctx.notMeasured(LATE, `${goal} decisions not served within ${ctx.options.maxFillS} s`);
        return;
      }
      await runWrk(spec, { durationS: 2, connections: ctx.options.connections, cpus: ctx.options.loadCpus });
    }
    const late = await ctx.measure(LATE, tollgate, spec, { remember_decisions: remembered, decisions_served_before: await served() });
    late.facts = { ...late.facts, cpu_vs_early: Number((late.cpuUsPerRequest! / early.cpuUsPerRequest!).toFixed(2)) };
  });
}

async function decisionsTotal(adminPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  let total = 0;
  for (const m of text.matchAll(/^tollgate_decisions_total\{[^}]*\} (\d+)$/gm)) total += Number(m[1]);
  return total;
}
