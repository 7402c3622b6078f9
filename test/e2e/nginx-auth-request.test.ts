import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { integrationFile, renderConfig, requireBinary, startEchoUpstream, startPeer, type EchoUpstream, type PeerProcess } from '../helpers/gateway-peers.js';
import { freePort } from '../helpers/ports.js';
import { forgedOriginalSuite, forwardAuthSuite, pathSpellingSuite, startForwardAuthTollgate, type ForwardAuthContext } from '../helpers/forward-auth-cases.js';
import { tempDir } from '../helpers/tollgate.js';

/**
 * The shipped config sets both header families from nginx's own variables and drops client
 * copies, so it must be safe, and work, under the nginx dialect and under the default (caddy).
 */
describe.each([['nginx'], [undefined]])('nginx auth_request (real nginx, integrations/nginx/nginx.conf with test ports), dialect %s', (dialect) => {
  let ctx: ForwardAuthContext;
  let nginx: PeerProcess;
  let upstream: EchoUpstream;
  beforeAll(async () => {
    const binary = requireBinary('nginx');
    const { tg, key } = await startForwardAuthTollgate(dialect);
    upstream = await startEchoUpstream();
    const port = await freePort();
    const dir = tempDir('tollgate-nginx-');
    // Only addresses change, plus log and temp paths inside the temp dir so nginx runs unprivileged.
    const conf = renderConfig(integrationFile('nginx', 'nginx.conf'), [
      ['server 127.0.0.1:8181;', `server ${new URL(tg.url).host};`],
      ['server 127.0.0.1:4000;', `server 127.0.0.1:${upstream.port};`],
      ['listen 127.0.0.1:8080;', `listen 127.0.0.1:${port};`],
      ['http {', ['http {', 'access_log off;', ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${path.join(dir, t)};`)].join('\n\t')],
    ]);
    const file = path.join(dir, 'nginx.conf');
    writeFileSync(file, conf);
    nginx = await startPeer(binary, ['-p', dir, '-c', file, '-e', path.join(dir, 'error.log'), '-g', `daemon off; master_process off; pid ${path.join(dir, 'nginx.pid')};`], port);
    ctx = { proxyUrl: `http://127.0.0.1:${port}`, upstream, tg, key };
  });
  afterAll(async () => {
    await nginx?.stop();
    await upstream?.close();
    await ctx?.tg.stop();
  });

  forwardAuthSuite(() => ctx, false);
  describe('client-forged X-Forwarded-* / X-Original-* headers', () => forgedOriginalSuite(() => ctx, true));
  describe('path spellings', () => pathSpellingSuite(() => ctx));
});
