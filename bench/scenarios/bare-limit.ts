import { withServer, type BenchContext } from '../lib/bench-context.js';
import { nativeAllowSpec } from '../lib/fixtures.js';
import { startBare } from '../lib/servers.js';

export const BARE = { id: 'bare', group: '1. physical limit', title: 'bare node:http, 200 to the same POST', server: 'bare' } as const;
const BARE_JSON = { id: 'bare-json', group: '1. physical limit', title: 'bare node:http parsing the body as JSON and answering a ~600 B JSON document', server: 'bare' } as const;
const BARE_POLICY = { id: 'bare-policy', group: '1. physical limit', title: 'bare JSON server that also evaluates the default policy in Wasm (opa-wasm) on the request\'s tollgate.input/v1 document', server: 'bare' } as const;

/**
 * (1) The ceilings: the same POST (same size body, same headers) answered by bare node:http, then by
 * a bare JSON server (body read, JSON.parse, a decision-sized answer): the floor of any JSON service;
 * then that server evaluating the default policy in Wasm too: the floor of any Rego-in-Wasm decision on Node.
 */
export async function bareLimit(ctx: BenchContext): Promise<void> {
  const credential = `Bearer tg_abcdefghijkl_${'x'.repeat(43)}`;
  if (ctx.wanted(BARE.id)) await withServer(startBare(ctx.place), (bare) => ctx.measure(BARE, bare, nativeAllowSpec(bare.httpPort, credential)));
  if (ctx.wanted(BARE_JSON.id)) await withServer(startBare(ctx.place, 'json'), (bare) => ctx.measure(BARE_JSON, bare, nativeAllowSpec(bare.httpPort, credential)));
  if (ctx.wanted(BARE_POLICY.id)) await withServer(startBare(ctx.place, 'policy'), (bare) => ctx.measure(BARE_POLICY, bare, nativeAllowSpec(bare.httpPort, credential)));
}
