import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { buildBundle } from './opa.js';
import type { EchoUpstream } from './gateway-peers.js';
import { send } from './gateway-peers.js';
import { startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from './tollgate.js';

/** The default policy, except that the key of subject svc-limited is over its limit: 429 with retry-after. */
const LIMITED_POLICY = `package tollgate.limited

import data.tollgate.authz

decision := {"allow": false, "status": 429, "reason": "rate_limited", "response_headers": {"retry-after": "7"}} if {
	input.identity.subject == "svc-limited"
} else := authz.decision
`;

/**
 * Tollgate with one key granted gpt-4o*, trusting loopback proxies' X-Forwarded-For.
 * `dialect`: adapters.forward_auth.dialect; undefined leaves the default. `limited`: also a key
 * (subject svc-limited) that LIMITED_POLICY answers 429.
 */
export async function startForwardAuthTollgate(dialect?: string, limited = false, env: Record<string, string> = {}): Promise<{ tg: RunningTollgate; key: TestKey; limitedKey?: TestKey }> {
  const file = path.join(tempDir(), 'keys.yaml');
  const [key, limitedKey] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }, ...(limited ? [{ subject: 'svc-limited', models: ['gpt-4o*'] }] : [])]);
  const tg = await startTollgate({
    TOLLGATE_KEYS_FILE: file, TOLLGATE_ADAPTERS__TRUSTED_PROXIES: '[127.0.0.1, "::1"]',
    // The echo upstream runs no fallback models from the body, so a bodiless Azure call can be allowed.
    TOLLGATE_UPSTREAM__BODY_FALLBACKS: 'false',
    ...(dialect === undefined ? {} : { TOLLGATE_ADAPTERS__FORWARD_AUTH__DIALECT: dialect }),
    ...(limited ? {
      TOLLGATE_POLICY_BUNDLE: buildBundle({ 'authz.rego': readFileSync(path.join(packageRoot(), 'policies', 'authz.rego'), 'utf8'), 'limited.rego': LIMITED_POLICY }, ['tollgate/limited/decision']),
      TOLLGATE_POLICY__ENTRYPOINT: 'tollgate/limited/decision',
    } : {}),
    ...env,
  });
  // Idempotent: limitAndOutageSuite stops it before the suite's afterAll does.
  let stopped: Promise<void> | undefined;
  return { tg: { ...tg, stop: () => (stopped ??= tg.stop()) }, key, limitedKey };
}

const chatBody = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });

export interface ForwardAuthContext { proxyUrl: string; upstream: EchoUpstream; tg: RunningTollgate; key: TestKey; limitedKey?: TestKey }

/**
 * The checks every forward-auth proxy must pass: allowed requests reach the upstream with
 * Tollgate's identity headers, denied ones never reach it, spoofed identity headers never survive.
 * `denyBodyVisible`: the proxy passes Tollgate's JSON reason to the client (Caddy, Traefik; not nginx).
 */
export function forwardAuthSuite(ctx: () => ForwardAuthContext, denyBodyVisible: boolean): void {
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${ctx().key.secret}` });
  const reached = (): number => ctx().upstream.seen.length;

  test('allowed model call (Azure deployment path) reaches the upstream with identity headers and its body', async () => {
    const before = reached();
    const res = await send(`${ctx().proxyUrl}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`, {
      method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: chatBody('gpt-4o'),
    });
    expect(res.status).toBe(200);
    expect(reached()).toBe(before + 1);
    const seen = ctx().upstream.seen.at(-1)!;
    expect(seen).toMatchObject({ method: 'POST', url: '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21', body: chatBody('gpt-4o') });
    expect(seen.headers).toMatchObject({ 'x-tollgate-subject': 'svc-a', 'x-tollgate-key-id': ctx().key.id, 'x-tollgate-credential': 'api_key' });
    const decisionId = seen.headers['x-tollgate-decision-id'] as string;
    expect(decisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ctx().tg.decisions().find((d) => d.decision_id === decisionId)).toMatchObject({
      gateway: 'forward_auth', result: 'allow', method: 'POST', path: '/openai/deployments/gpt-4o/chat/completions', model: 'gpt-4o', source_address: '127.0.0.1',
    });
  });

  test('a call that invokes no model is allowed for any valid key', async () => {
    const before = reached();
    const res = await send(`${ctx().proxyUrl}/v1/models`, { headers: auth() });
    expect(res.status).toBe(200);
    expect(reached()).toBe(before + 1);
  });

  test.each([
    ['model not granted', 403, 'model_not_allowed', '/openai/deployments/o1/chat/completions', () => auth()],
    // No body reaches forward-auth: the model in the JSON body is invisible, so policy sees none.
    ['model only in the body', 403, 'model_unknown', '/v1/chat/completions', () => auth()],
    ['no credential', 401, 'unauthenticated', '/openai/deployments/gpt-4o/chat/completions', () => ({})],
    ['unknown key', 401, 'credential_invalid', '/openai/deployments/gpt-4o/chat/completions', () => ({ authorization: 'Bearer tg_nope_nope' })],
  ])('%s: %i %s, and the upstream sees nothing', async (_name, status, reason, urlPath, headers) => {
    const before = reached();
    const res = await send(`${ctx().proxyUrl}${urlPath}`, {
      method: 'POST', headers: { ...headers(), 'content-type': 'application/json', 'x-tollgate-subject': 'admin' }, body: chatBody('gpt-4o'),
    });
    expect(res.status).toBe(status);
    expect(reached()).toBe(before);
    if (status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="tollgate"/);
    if (denyBodyVisible) expect(JSON.parse(res.text)).toMatchObject({ error: { code: reason } });
    expect(ctx().tg.decisions().at(-1)).toMatchObject({ gateway: 'forward_auth', result: 'deny', reason });
  });

  test('identity headers sent by the client are replaced, and a forged X-Forwarded-For is not believed', async () => {
    const res = await send(`${ctx().proxyUrl}/v1/models`, {
      headers: {
        ...auth(), 'X-Tollgate-Subject': 'admin', 'X-Tollgate-Key-Id': 'forged', 'X-Tollgate-Credential': 'jwt',
        'X-Tollgate-Decision-Id': 'not-a-decision', 'X-Forwarded-For': '203.0.113.9',
      },
    });
    expect(res.status).toBe(200);
    const seen = ctx().upstream.seen.at(-1)!;
    expect(seen.headers).toMatchObject({ 'x-tollgate-subject': 'svc-a', 'x-tollgate-key-id': ctx().key.id, 'x-tollgate-credential': 'api_key' });
    expect(seen.headers['x-tollgate-decision-id']).not.toBe('not-a-decision');
    expect(seen.headers['x-tollgate-on-behalf-of'] ?? '').toBe('');
    const audit = ctx().tg.decisions().find((d) => d.decision_id === seen.headers['x-tollgate-decision-id']);
    expect(audit).toMatchObject({ source_address: '127.0.0.1', subject: 'svc-a' });
  });
}

/**
 * A limit denial and an outage, for a Tollgate started with `limited`: a 429 passes on Tollgate's
 * status, retry-after and (when `denyBodyVisible`) its JSON body; then Tollgate is stopped and
 * the proxy must fail closed. Stops ctx().tg: register it last.
 */
export function limitAndOutageSuite(ctx: () => ForwardAuthContext, denyBodyVisible: boolean, downStatus: number): void {
  test('a key over its limit gets 429 with retry-after, and the upstream sees nothing', async () => {
    const before = ctx().upstream.seen.length;
    const res = await send(`${ctx().proxyUrl}/v1/models`, { headers: { authorization: `Bearer ${ctx().limitedKey!.secret}` } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    if (denyBodyVisible) expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'rate_limited' } });
    expect(ctx().upstream.seen.length).toBe(before);
  });

  test(`Tollgate down: the proxy fails closed (${downStatus}) and the upstream sees nothing`, async () => {
    await ctx().tg.stop();
    const before = ctx().upstream.seen.length;
    const res = await send(`${ctx().proxyUrl}/v1/models`, { headers: { authorization: `Bearer ${ctx().key.secret}` } });
    expect(res.status).toBe(downStatus);
    expect(ctx().upstream.seen.length).toBe(before);
  });
}

/**
 * Header lines a client adds to name another request than the one it sends, as raw
 * [name, value, name, value, ...] so that case, repeats and empty values reach the proxy as written.
 * Every shape Tollgate reads: both families, X-Original-URL, repeats under one or two spellings,
 * comma-joined lists, empty values, lower/upper case and underscore names.
 */
export const FORGED_HEADERS: Array<[string, string[]]> = [
  ['X-Forwarded-Uri/-Method naming GET /v1/models', ['X-Forwarded-Uri', '/v1/models', 'X-Forwarded-Method', 'GET']],
  ['X-Original-URI/-Method naming GET /v1/models', ['X-Original-URI', '/v1/models', 'X-Original-Method', 'GET']],
  ['X-Original-URL naming /v1/models', ['X-Original-URL', 'http://llm.example/v1/models', 'X-Original-Method', 'GET']],
  ['both families naming GET /v1/models', ['X-Forwarded-Uri', '/v1/models', 'X-Forwarded-Method', 'GET', 'X-Original-URI', '/v1/models', 'X-Original-Method', 'GET']],
  ['only the URI, no method', ['X-Forwarded-Uri', '/v1/models', 'X-Original-URI', '/v1/models']],
  ['only the method, no URI', ['X-Forwarded-Method', 'GET', 'X-Original-Method', 'GET']],
  ['lower-case names', ['x-forwarded-uri', '/v1/models', 'x-forwarded-method', 'GET', 'x-original-uri', '/v1/models', 'x-original-method', 'GET']],
  ['upper-case names', ['X-FORWARDED-URI', '/v1/models', 'X-FORWARDED-METHOD', 'GET', 'X-ORIGINAL-URI', '/v1/models', 'X-ORIGINAL-METHOD', 'GET']],
  ['repeated headers', ['X-Forwarded-Uri', '/v1/models', 'X-Forwarded-Uri', '/v1/models', 'X-Original-URI', '/v1/models', 'X-Original-URI', '/v1/models']],
  ['repeated under two spellings', ['x-forwarded-uri', '/v1/models', 'X-FORWARDED-URI', '/v1/models', 'x-original-method', 'GET', 'X-Original-Method', 'GET']],
  ['comma-joined values', ['X-Forwarded-Uri', '/v1/models, /v1/models', 'X-Forwarded-Method', 'GET, GET', 'X-Original-URI', '/v1/models,/v1/models']],
  ['empty values', ['X-Forwarded-Uri', '', 'X-Forwarded-Method', '', 'X-Original-URI', '', 'X-Original-Method', '', 'X-Original-URL', '']],
  ['lower-case method', ['X-Forwarded-Uri', '/v1/models', 'X-Forwarded-Method', 'get', 'X-Original-URI', '/v1/models', 'X-Original-Method', 'get']],
  ['underscore names', ['X_Forwarded_Uri', '/v1/models', 'X_Forwarded_Method', 'GET', 'X_Original_URI', '/v1/models', 'X_Original_Method', 'GET']],
];

/** The two requests a forger starts from: one the key may not make, one it may. */
const ORIGINALS = [
  { name: 'forbidden model call', method: 'POST', url: '/openai/deployments/o1/chat/completions?api-version=2024-10-21', body: chatBody('o1'), permitted: false },
  { name: 'permitted model listing', method: 'GET', url: '/v1/models', body: undefined, permitted: true },
];

/**
 * Whatever the client adds, a request the key may not make never reaches the upstream, and every
 * request that does reach it was audited as allowed with the method and path it arrived with.
 * `permittedReaches`: a permitted request still gets through (false when the dialect is knowingly
 * wrong for the proxy: then everything must be denied, which is the safe failure).
 */
export function forgedOriginalSuite(ctx: () => ForwardAuthContext, permittedReaches: boolean): void {
  const cases = ORIGINALS.flatMap((o) => FORGED_HEADERS.map(([forged, headers]) => [o.name, forged, o, headers] as const));
  test.each(cases)('%s with %s', async (_o, _f, original, forged) => {
    const before = ctx().upstream.seen.length;
    const res = await rawRequest(`${ctx().proxyUrl}${original.url}`, original.method, [
      'Authorization', `Bearer ${ctx().key.secret}`, 'Content-Type', 'application/json', ...forged,
    ], original.body);
    const arrived = ctx().upstream.seen.slice(before);
    expect(arrived.length).toBe(res.status === 200 ? 1 : 0);
    expect(res.status === 200).toBe(original.permitted && permittedReaches);
    for (const seen of arrived) {
      const audit = ctx().tg.decisions().find((d) => d.decision_id === seen.headers['x-tollgate-decision-id']);
      expect(audit).toMatchObject({ result: 'allow', method: seen.method, path: seen.url.split('?')[0] });
    }
  });
}

/**
 * A client request with its header lines exactly as given: written on a raw socket, because node's
 * HTTP client (and fetch) would merge repeats and fix the case of names. Only the status line and
 * headers of the answer are parsed; the body is returned as the bytes after them.
 */
export function rawRequest(url: string, method: string, headers: string[], body = ''): Promise<{ status: number; headers: Record<string, string>; text: string }> {
  const { hostname, port, pathname, search } = new URL(url);
  const lines = [`${method} ${pathname}${search} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', `Content-Length: ${Buffer.byteLength(body)}`];
  for (let i = 0; i < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      socket.end();
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = raw.split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const answer: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        answer[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers: answer, text: rest.join('\r\n\r\n') });
    });
    // Write without half-closing: nginx takes an early FIN for a client that went away (499).
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}

/** Spellings of requests the key (gpt-4o*) may not make: other models, unknown endpoints, ambiguous paths. */
const FORBIDDEN_SPELLINGS: Array<[string, string]> = [
  ['POST', '/openai/deployments/o1/chat/completions/'],
  ['POST', '/OPENAI/Deployments/o1/CHAT/completions'],
  ['POST', '/openai/deployments/%6f1/chat/completions'],
  ['POST', '//openai//deployments/o1/chat/completions'],
  ['POST', '/openai/deployments/o1;v=1/chat/completions'],
  ['POST', '/openai/./deployments/o1/chat/completions'],
  ['POST', '/openai/x/../deployments/o1/chat/completions'],
  ['POST', '/openai/deployments/gpt-4o%2F..%2Fo1/chat/completions'],
  ['POST', '/openai/deployments/%2e%2e/deployments/o1/chat/completions'],
  ['POST', '/engines/o1/chat/completions'],
  ['POST', '/v1beta/models/o1:generateContent'],
  ['GET', '/v1/realtime?model=o1'],
  ['GET', '/v1/realtime?model=gpt-4o&model=o1'],
  ['DELETE', '/v1/models/gpt-4o'],
  ['POST', '/key/generate'],
  ['POST', '/v1/chat/completions'],
];

/** Spellings of permitted requests: they reach the upstream as sent, audited with the path it received. */
const PERMITTED_SPELLINGS: Array<[string, string]> = [
  ['GET', '/v1/models/'],
  ['GET', '/V1/Models'],
  ['GET', '//v1/models'],
  ['POST', '/openai/deployments/gpt-4o/chat/completions/'],
  ['POST', '/openai/deployments/%67pt-4o/chat/completions'],
  ['GET', '/v1/realtime?model=gpt-4o-realtime'],
];

/**
 * Path spellings through the proxy as shipped: the proxy passes the path on as the client wrote it,
 * so Tollgate must read each spelling as the upstream routes it. The body names o1 in every request
 * (forward-auth does not send it), so only the path and query can make a request permitted.
 */
export function pathSpellingSuite(ctx: () => ForwardAuthContext): void {
  const send = (method: string, url: string) => rawRequest(`${ctx().proxyUrl}${url}`, method, [
    'Authorization', `Bearer ${ctx().key.secret}`, 'Content-Type', 'application/json',
  ], method === 'GET' ? '' : chatBody('o1'));

  test.each(FORBIDDEN_SPELLINGS)('%s %s never reaches the upstream', async (method, url) => {
    const before = ctx().upstream.seen.length;
    const res = await send(method, url);
    expect(res.status).not.toBe(200);
    expect(ctx().upstream.seen.length).toBe(before);
  });

  test.each(PERMITTED_SPELLINGS)('%s %s reaches the upstream, audited with the path it received', async (method, url) => {
    const before = ctx().upstream.seen.length;
    const res = await send(method, url);
    expect(res.status).toBe(200);
    const [seen] = ctx().upstream.seen.slice(before);
    const audit = ctx().tg.decisions().find((d) => d.decision_id === seen.headers['x-tollgate-decision-id']);
    expect(audit).toMatchObject({ result: 'allow', method, path: seen.url.split('?')[0] });
  });
}
