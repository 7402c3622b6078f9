import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withServer, type BenchContext } from '../lib/bench-context.js';
import { policyDir, policyInput } from '../lib/fixtures.js';
import type { HttpRequestSpec } from '../lib/load-result.js';
import { startOpa, startTollgate } from '../lib/servers.js';

export const OPA = { id: 'opa-server', group: '5. OPA comparison', title: '`opa run --server`, POST /v1/data/tollgate/authz/decision', server: 'opa' } as const;
export const DATA_API = { id: 'tollgate-data-api', group: '5. OPA comparison', title: 'Tollgate Data API, same path, policy and input', server: 'tollgate' } as const;

const DATA_PATH = '/v1/data/tollgate/authz/decision';

/** (5) OPA's own server and Tollgate's OPA-compatible Data API, same Rego, same data, same input. */
export async function opaComparison(ctx: BenchContext): Promise<void> {
  const body = JSON.stringify({ input: policyInput('bench-app') });
  const spec = (port: number): HttpRequestSpec => ({
    url: `http://127.0.0.1:${port}${DATA_PATH}`, method: 'POST', headers: { 'content-type': 'application/json' }, body, expect: '"allow":true',
  });
  if (ctx.wanted(OPA.id)) {
    const data = JSON.parse(readFileSync(path.join(ctx.options.root, 'policies', 'data.json'), 'utf8')) as Record<string, unknown>;
    const files = policyDir(ctx.options.root, path.join(ctx.workDir, 'opa-policy'), data);
    await withServer(startOpa(ctx.place, ctx.options.opa, [files.rego, files.data]), (opa) => ctx.measure(OPA, opa, spec(opa.httpPort)));
  }
  if (ctx.wanted(DATA_API.id)) {
    // The raw Data API is off by default (it authenticates nobody); the comparison with OPA turns it on.
    await withServer(startTollgate(ctx.place, 'tollgate-data-api', { TOLLGATE_ADAPTERS__DATA_API__ENABLED: 'true' }), async (tollgate) => {
      const probe = await fetch(spec(tollgate.httpPort).url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await probe.text();
      if (!probe.ok || !text.includes('"allow":true')) {
        ctx.notMeasured(DATA_API, `POST ${DATA_PATH} answered ${probe.status} (${text.slice(0, 120)}): the Data API is not in this build`);
        return;
      }
      await ctx.measure(DATA_API, tollgate, spec(tollgate.httpPort));
    });
  }
}
