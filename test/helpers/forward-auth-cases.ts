import path from 'node:path';
import type { EchoUpstream } from './gateway-peers.js';
import { send } from './gateway-peers.js';
import { startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from './tollgate.js';

/** Tollgate with one key granted gpt-4o*, trusting loopback proxies' X-Forwarded-For. */
export async function startForwardAuthTollgate(): Promise<{ tg: RunningTollgate; key: TestKey }> {
  const file = path.join(tempDir(), 'keys.yaml');
  const [key] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }]);
  const tg = await startTollgate({ TOLLGATE_KEYS_FILE: file, TOLLGATE_ADAPTERS__TRUSTED_PROXIES: '[127.0.0.1, "::1"]' });
  return { tg, key };
}

const chatBody = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });

export interface ForwardAuthContext { proxyUrl: string; upstream: EchoUpstream; tg: RunningTollgate; key: TestKey }

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
    ['model only in the body', 403, 'model_not_allowed', '/v1/chat/completions', () => auth()],
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
