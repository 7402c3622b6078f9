import { withServer, type BenchContext } from '../lib/bench-context.js';
import { nativeAuthorizeBody } from '../lib/fixtures.js';
import { startBare } from '../lib/servers.js';

export const BARE = { id: 'bare', group: '1. physical limit', title: 'bare node:http, 200 to the same POST', server: 'bare' } as const;

/** (1) The ceiling: the same POST (same size body, same headers) answered by bare node:http. */
export async function bareLimit(ctx: BenchContext): Promise<void> {
  if (!ctx.wanted(BARE.id)) return;
  await withServer(startBare(ctx.place), (bare) => ctx.measure(BARE, bare, {
    url: `http://127.0.0.1:${bare.httpPort}/v1/authorize`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: nativeAuthorizeBody({ authorization: `Bearer tg_abcdefghijkl_${'x'.repeat(43)}` }),
    expect: '"allow":true',
  }));
}
