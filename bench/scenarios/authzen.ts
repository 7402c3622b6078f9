import path from 'node:path';
import { writeKeys as writeTestKeys } from '../../test/helpers/key-files.js';
import type { BenchContext } from '../lib/bench-context.js';
import { withServer } from '../lib/bench-context.js';
import type { HttpRequestSpec } from '../lib/load-result.js';
import { startTollgate } from '../lib/servers.js';

const GROUP = '8. AuthZEN';
const SINGLE = { id: 'authzen-single', group: GROUP, title: 'POST /access/v1/evaluation, API key subject, default AuthZEN policy', server: 'tollgate' } as const;
const BATCH = { id: 'authzen-batch-100', group: GROUP, title: 'POST /access/v1/evaluations, 100 items per request', server: 'tollgate' } as const;
const BATCH_SIZE = 100;

/**
 * (8) AuthZEN evaluations/s: single questions, then batches of 100 (one parse and one authentication
 * per batch, one policy evaluation and one decision record per item). Facts give evaluations/s and
 * server CPU µs per evaluation, the figures to compare between the two.
 */
export async function authzen(ctx: BenchContext): Promise<void> {
  if (!ctx.wanted(SINGLE.id) && !ctx.wanted(BATCH.id)) return;
  const keysFile = path.join(ctx.workDir, 'authzen-keys.yaml');
  const [pep, agent] = writeTestKeys(keysFile, [{ subject: 'bench-pep', scopes: ['authzen'] }, { subject: 'bench-agent', models: ['gpt-4o*'] }]);
  const env = { TOLLGATE_KEYS_FILE: keysFile, TOLLGATE_ADAPTERS__AUTHZEN__ENABLED: 'true' };
  await withServer(startTollgate(ctx.place, 'tollgate-authzen', env), async (tollgate) => {
    const subject = { type: 'api_key', id: agent.id };
    const action = { name: 'invoke' };
    const spec = (api: string, body: unknown, expect: string): HttpRequestSpec => ({
      url: `http://127.0.0.1:${tollgate.httpPort}/access/v1/${api}`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${pep.secret}` },
      body: JSON.stringify(body),
      expect,
    });
    for (const [meta, request, items] of [
      [SINGLE, spec('evaluation', { subject, action, resource: { type: 'model', id: 'gpt-4o' } }, '"decision":true'), 1],
      [BATCH, spec('evaluations', {
        subject, action, evaluations: Array.from({ length: BATCH_SIZE }, (_, i) => ({ resource: { type: 'model', id: i % 2 ? 'gpt-4o-mini' : 'o1' } })),
      }, '{"evaluations":[{"decision":false'), BATCH_SIZE],
    ] as const) {
      if (!ctx.wanted(meta.id)) continue;
      const result = await ctx.measure(meta, tollgate, request);
      result.facts = {
        ...result.facts,
        evaluations_per_request: items,
        evaluations_per_s: Math.round(result.load!.rps * items),
        cpu_us_per_evaluation: Math.round((result.cpuUsPerRequest ?? 0) / items * 10) / 10,
      };
    }
  });
}
