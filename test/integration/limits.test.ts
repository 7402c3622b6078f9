import path from 'node:path';
import { postJson, startTollgate, tempDir, writeFile, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

const HOOK_TOKEN = 'limits-test-hook-token-0123456789';
const RULES = `
limits:
  reservation_ttl_ms: 30000
  default_max_tokens: 100
  rules:
    - name: svc-a
      match: { subject: svc-a }
      rpm: 4
      tpm: 1000
    - name: gpt-4o-shared
      match: { model: "gpt-4o-big*" }
      shared: true
      token_budget: 500/1d
`;

describe('request and token limits on the native API (in-memory store)', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  let other: TestKey;
  let now = Date.UTC(2026, 0, 1, 12, 0, 10);
  beforeAll(async () => {
    const dir = tempDir();
    const file = path.join(dir, 'keys.yaml');
    [key, other] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }, { subject: 'svc-b', models: ['gpt-4o*'] }]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file, TOLLGATE_HOOK_TOKEN: HOOK_TOKEN }, writeFile(dir, 'tollgate.yaml', RULES), () => now);
  });
  afterAll(() => tg.stop());
  beforeEach(() => {
    now += 60_000; // a fresh minute window for each test
  });

  /** body bytes / 4 + max_tokens: `{"model":"gpt-4o-mini","max_tokens":N}` */
  const authorize = async (maxTokens = 300, model = 'gpt-4o-mini', secret = key.secret) => (await postJson(`${tg.url}/v1/authorize`, {
    method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${secret}` }, body: { model, max_tokens: maxTokens },
  })).json;
  const cost = (maxTokens: number) => maxTokens + Math.ceil(JSON.stringify({ model: 'gpt-4o-mini', max_tokens: maxTokens }).length / 4);
  const remainingTokens = (d: { response_headers: Record<string, string> }) => Number(d.response_headers['x-ratelimit-remaining-tokens']);
  const report = (decisionId: string, tokens: number) => postJson(`${tg.url}/v1/outcomes`, { decision_id: decisionId, usage: { total_tokens: tokens } }, { 'x-tollgate-hook-token': HOOK_TOKEN });

  test('an allow carries OpenAI rate-limit headers for the most constrained limit', async () => {
    const d = await authorize();
    expect(d).toMatchObject({ allow: true, reason: 'allowed' });
    expect(remainingTokens(d)).toBe(1000 - cost(300));
    expect(d.response_headers).toMatchObject({
      'x-ratelimit-limit-requests': '4', 'x-ratelimit-remaining-requests': '3', 'x-ratelimit-reset-requests': '50s',
      'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-reset-tokens': '50s',
    });
    expect(d.dynamic_metadata).toEqual({ tollgate_requests: { requests_per_unit: 4, unit: 'MINUTE' }, tollgate_tokens: { requests_per_unit: 1000, unit: 'MINUTE' } });
  });

  test('tokens: a reservation that does not fit is a 429 tokens_limit_exceeded with retry-after; an outcome gives back the unused part', async () => {
    const first = await authorize(600);
    expect(first.allow).toBe(true);
    const second = await authorize(600);
    expect(second).toMatchObject({ allow: false, status: 429, reason: 'tokens_limit_exceeded' });
    expect(second.response_headers).toMatchObject({ 'retry-after': '50', 'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-requests': '3' });
    expect(JSON.parse(second.body).error.code).toBe('tokens_limit_exceeded');
    expect((await report(first.decision_id, 50)).json.result).toBe('recorded');
    const third = await authorize(600);
    expect(third.allow).toBe(true);
    expect(remainingTokens(third)).toBe(1000 - 50 - cost(600));
  });

  test('requests: the fifth call in a minute is a 429 requests_limit_exceeded; the next minute admits again', async () => {
    for (let i = 0; i < 4; i++) expect((await authorize(1)).allow).toBe(true);
    expect(await authorize(1)).toMatchObject({ allow: false, status: 429, reason: 'requests_limit_exceeded', response_headers: { 'x-ratelimit-remaining-requests': '0', 'retry-after': '50' } });
    now += 60_000;
    expect((await authorize(1)).allow).toBe(true);
  });

  test('a policy deny after admission consumes nothing', async () => {
    for (let i = 0; i < 6; i++) expect(await authorize(1, 'o1-preview')).toMatchObject({ allow: false, reason: 'model_not_allowed' });
    expect((await authorize(1)).response_headers['x-ratelimit-remaining-requests']).toBe('3');
  });

  test('a shared rule on a model glob counts every caller of that model together, and only those calls', async () => {
    expect((await authorize(300, 'gpt-4o-big')).allow).toBe(true);
    expect(await authorize(300, 'gpt-4o-big', other.secret)).toMatchObject({ allow: false, reason: 'tokens_limit_exceeded' });
    expect((await authorize(300, 'gpt-4o-mini', other.secret)).allow).toBe(true);
  });

  test('a reservation with no outcome is charged at its reserved size when it expires; a late report changes nothing', async () => {
    const d = await authorize(900);
    const reservedSize = 1000 - remainingTokens(d);
    now += 31_000; // past reservation_ttl_ms, still the same minute
    expect((await report(d.decision_id, 10)).json.result).toBe('recorded');
    expect(remainingTokens(await authorize(1))).toBe(1000 - reservedSize - cost(1));
  });

  test('calls with no applicable limit carry no rate-limit headers', async () => {
    const d = await authorize(5000, 'gpt-4o-mini', other.secret);
    expect(d.allow).toBe(true);
    expect(Object.keys(d.response_headers).filter((h) => h.startsWith('x-ratelimit'))).toEqual([]);
  });
});
