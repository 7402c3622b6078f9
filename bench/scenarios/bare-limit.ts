import { withServer, type BenchContext } from '../lib/bench-context.js';
import { nativeAllowSpec } from '../lib/fixtures.js';
import { startBare } from '../lib/servers.js';

export const BARE = { id: 'bare', group: '1. physical limit', title: 'bare node:http, 200 to the same POST', server: 'bare' } as const;

/** (1) The ceiling: the same POST (same size body, same headers) answered by bare node:http. */
export async function bareLimit(ctx: BenchContext): Promise<void> {
  if (!ctx.wanted(BARE.id)) return;
  await withServer(startBare(ctx.place), (bare) => ctx.measure(BARE, bare, nativeAllowSpec(bare.httpPort, `Bearer tg_abcdefghijkl_${'x'.repeat(43)}`)));
}
