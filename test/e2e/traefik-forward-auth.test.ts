import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { integrationFile, send, startEchoUpstream, startPeer, type EchoUpstream, type PeerProcess } from '../helpers/gateway-peers.js';
import { freePort } from '../helpers/ports.js';
import { forgedOriginalSuite, forwardAuthSuite, limitAndOutageSuite, pathSpellingSuite, startForwardAuthTollgate, type ForwardAuthContext } from '../helpers/forward-auth-cases.js';

/**
 * Traefik's ForwardAuth, with the same cases as Caddy and nginx: a real Traefik (built from source
 * by scripts/traefik.sh) running integrations/traefik/dynamic.yml as shipped, under the traefik
 * dialect and the default (caddy), which read the same headers.
 */
describe.each([['traefik'], [undefined]])('Traefik forwardAuth (real traefik, integrations/traefik/dynamic.yml as shipped), dialect %s', (dialect) => {
  let ctx: ForwardAuthContext;
  let traefik: PeerProcess;
  let upstream: EchoUpstream;
  beforeAll(async () => {
    const binary = execFileSync('bash', [path.join(packageRoot(), 'scripts', 'traefik.sh'), '--no-build'], { encoding: 'utf8' }).trim();
    const { tg, key, limitedKey } = await startForwardAuthTollgate(dialect, true);
    upstream = await startEchoUpstream();
    const port = await freePort();
    // Static configuration from flags; the dynamic file reads its addresses from the environment.
    traefik = await startPeer(binary, [
      `--entryPoints.web.address=127.0.0.1:${port}`, `--providers.file.filename=${integrationFile('traefik', 'dynamic.yml')}`, '--log.level=ERROR',
    ], port, { PATH: process.env.PATH, AUTHZ_ADDR: new URL(tg.url).host, LLM_UPSTREAM: `127.0.0.1:${upstream.port}` });
    ctx = { proxyUrl: `http://127.0.0.1:${port}`, upstream, tg, key, limitedKey };
    // The entry point listens before the file provider's router is loaded: wait for it (404 until then).
    for (let i = 0; i < 100 && (await send(`${ctx.proxyUrl}/v1/models`)).status === 404; i++) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(async () => {
    await traefik?.stop();
    await upstream?.close();
    await ctx?.tg.stop();
  });

  forwardAuthSuite(() => ctx, true);
  describe('client-forged X-Forwarded-* / X-Original-* headers', () => forgedOriginalSuite(() => ctx, true));
  describe('path spellings', () => pathSpellingSuite(() => ctx));
  describe('limits and outage', () => limitAndOutageSuite(() => ctx, true, 500));
});
