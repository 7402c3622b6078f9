import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fetchJson } from '../../../../src/identity/jwt/http-json.js';
import { JwksCache } from '../../../../src/identity/jwt/jwks.js';
import { discoverJwksUri } from '../../../../src/identity/jwt/oidc-discovery.js';
import { TestIdp } from '../../../helpers/idp.js';
import { tempDir, writeFile } from '../../../helpers/tollgate.js';

describe('JwksCache against a real JWKS endpoint', () => {
  let idp: TestIdp;
  let clock = 0;
  const errors: string[] = [];
  const get = (url: string) => fetchJson(url, { timeoutMs: 1000, maxBytes: 64 * 1024 });
  const cache = (over: { locate?: () => Promise<string> } = {}) => new JwksCache({
    issuer: idp.issuer, locate: over.locate ?? (() => Promise.resolve(idp.jwksUri)), fetchJson: get,
    refreshIntervalMs: 60_000, maxStalenessMs: 100_000, refetchCooldownMs: 10_000, now: () => clock,
    onRefresh: () => undefined, onRefreshError: (err) => errors.push(err.message),
  });
  const header = (kid: string) => ({ alg: 'ES256' as const, kid });

  beforeAll(async () => {
    idp = await TestIdp.start(['ES256']);
  });
  afterAll(() => idp.close());

  test('concurrent refreshes share one fetch; keys resolve by kid', async () => {
    const jwks = cache();
    const before = idp.jwksFetches();
    expect(await Promise.all([jwks.refresh(), jwks.refresh(), jwks.refresh()])).toEqual([true, true, true]);
    expect(idp.jwksFetches()).toBe(before + 1);
    await expect(jwks.getKey(header(idp.key('ES256').kid), {} as never)).resolves.toMatchObject({ type: 'public' });
  });

  test('a failing endpoint keeps the last good keys until the staleness bound, then jwks_unavailable', async () => {
    const jwks = cache();
    clock = 0;
    await jwks.refresh();
    idp.failing = true;
    expect(await jwks.refresh()).toBe(false);
    expect(errors.at(-1)).toMatch(/HTTP 503/);
    clock = 100_000;
    await expect(jwks.getKey(header(idp.key('ES256').kid), {} as never)).resolves.toBeDefined();
    clock = 100_001;
    await expect(jwks.getKey(header(idp.key('ES256').kid), {} as never)).rejects.toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE', status: 503 });
    idp.failing = false;
  });

  test('never fetched and the endpoint down: unavailable, and retried only after the cooldown', async () => {
    clock = 500_000;
    idp.failing = true;
    const jwks = cache();
    const before = idp.requests.length;
    for (let i = 0; i < 5; i++) await expect(jwks.getKey(header('x'), {} as never)).rejects.toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE' });
    expect(idp.requests.length - before).toBe(1);
    idp.failing = false;
    clock += 10_000;
    await expect(jwks.getKey(header(idp.key('ES256').kid), {} as never)).resolves.toBeDefined();
  });

  test('OIDC discovery: the document must name the same issuer', async () => {
    await expect(discoverJwksUri(idp.issuer, get)).resolves.toBe(idp.jwksUri);
    await expect(discoverJwksUri(`${idp.issuer}/`, get)).rejects.toThrow(/does not name issuer/);
    const jwks = cache({ locate: () => discoverJwksUri('https://evil.example', get) });
    expect(await jwks.refresh()).toBe(false);
  });
});

describe('fetchJson', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect') res.writeHead(302, { location: '/keys' }).end();
      else if (req.url === '/big') res.writeHead(200).end(JSON.stringify({ pad: 'x'.repeat(10_000) }));
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('{}'), 500);
      else if (req.url === '/token') res.writeHead(200).end(JSON.stringify({ auth: req.headers.authorization ?? null }));
      else res.writeHead(200).end('not json');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));

  const options = { timeoutMs: 200, maxBytes: 1024 };
  test.each([
    ['redirects are refused', '/redirect', /HTTP 302/],
    ['responses are size-capped', '/big', /larger than 1024/],
    ['slow endpoints time out', '/slow', /no answer within 200 ms/],
    ['non-JSON is refused', '/text', /not JSON/],
  ])('%s', async (_name, path, error) => {
    await expect(fetchJson(`${base}${path}`, options)).rejects.toThrow(error);
  });

  test('the bearer token file is re-read on every fetch (Kubernetes rotates projected tokens)', async () => {
    const file = writeFile(tempDir(), 'token', 'first\n');
    await expect(fetchJson(`${base}/token`, { ...options, tokenFile: file })).resolves.toEqual({ auth: 'Bearer first' });
    writeFile(path.dirname(file), 'token', 'second');
    await expect(fetchJson(`${base}/token`, { ...options, tokenFile: file })).resolves.toEqual({ auth: 'Bearer second' });
  });

  test('plain http only to loopback', async () => {
    await expect(fetchJson('http://idp.example.com/keys', options)).rejects.toThrow(/only https/);
  });
});
