import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { withServer, type BenchContext } from '../lib/bench-context.js';
import { nativeAllowSpec } from '../lib/fixtures.js';
import { startJwksFixture, type BenchAlg, type JwksFixture } from '../lib/jwks-fixture.js';
import { startTollgate } from '../lib/servers.js';

const GROUP = '3. JWT';

/** (3) Native API with a JWT (RS256, ES256), the verified-token cache on and off. */
export async function jwt(ctx: BenchContext): Promise<void> {
  const runs = (['RS256', 'ES256'] as const).flatMap((alg) => [true, false].map((cache) => ({ alg, cache })))
    .map((r) => ({ ...r, id: `jwt-${r.alg.toLowerCase()}-${r.cache ? 'cache' : 'no-cache'}` }))
    .filter((r) => ctx.wanted(r.id));
  if (runs.length === 0) return;
  const jwks = await startJwksFixture();
  try {
    for (const run of runs) await jwtRun(ctx, jwks, run.id, run.alg, run.cache);
  } finally {
    await jwks.close();
  }
}

async function jwtRun(ctx: BenchContext, jwks: JwksFixture, id: string, alg: BenchAlg, cache: boolean): Promise<void> {
  const meta = { id, group: GROUP, title: `JWT ${alg}, verified-token cache ${cache ? 'on' : 'off'}`, server: 'tollgate' } as const;
  const configFile = path.join(ctx.workDir, `${id}.yaml`);
  writeFileSync(configFile, stringify({
    identity: {
      jwt: {
        issuers: [{ issuer: jwks.issuer, jwks_uri: jwks.jwksUri, audiences: [jwks.audience] }],
        cache: { enabled: cache },
      },
    },
  }));
  await withServer(startTollgate(ctx.place, id, { TOLLGATE_CONFIG: configFile }), (tollgate) => ctx.measure(meta, tollgate, nativeAllowSpec(tollgate.httpPort, `Bearer ${jwks.tokens[alg]}`)));
}
