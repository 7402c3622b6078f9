import path from 'node:path';
import { integrationFile, requireBinary, startEchoUpstream, startPeer, type EchoUpstream, type PeerProcess } from '../helpers/gateway-peers.js';
import { freePort } from '../helpers/ports.js';
import { forgedOriginalSuite, forwardAuthSuite, pathSpellingSuite, startForwardAuthTollgate, type ForwardAuthContext } from '../helpers/forward-auth-cases.js';
import { tempDir } from '../helpers/tollgate.js';

/**
 * Under its own dialect (the default) Caddy must work and be safe. Under the nginx dialect (a
 * misconfiguration) it must be safe: the Caddyfile drops client X-Original-*, so everything is denied.
 */
describe.each([[undefined, true], ['nginx', false]])('Caddy forward_auth (real caddy, integrations/caddy/Caddyfile as shipped), dialect %s', (dialect, matches) => {
  let ctx: ForwardAuthContext;
  let caddy: PeerProcess;
  let upstream: EchoUpstream;
  beforeAll(async () => {
    const binary = requireBinary('caddy');
    const { tg, key } = await startForwardAuthTollgate(dialect);
    upstream = await startEchoUpstream();
    const port = await freePort();
    const home = tempDir('tollgate-caddy-');
    // The Caddyfile reads its addresses from the environment; nothing in it is rewritten.
    caddy = await startPeer(binary, ['run', '--config', integrationFile('caddy', 'Caddyfile'), '--adapter', 'caddyfile'], port, {
      PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config'),
      LISTEN_ADDR: `127.0.0.1:${port}`, AUTHZ_ADDR: new URL(tg.url).host, LLM_UPSTREAM: `127.0.0.1:${upstream.port}`,
    });
    ctx = { proxyUrl: `http://127.0.0.1:${port}`, upstream, tg, key };
  });
  afterAll(async () => {
    await caddy?.stop();
    await upstream?.close();
    await ctx?.tg.stop();
  });

  if (matches) forwardAuthSuite(() => ctx, true);
  describe('client-forged X-Forwarded-* / X-Original-* headers', () => forgedOriginalSuite(() => ctx, matches));
  if (matches) describe('path spellings', () => pathSpellingSuite(() => ctx));
});
