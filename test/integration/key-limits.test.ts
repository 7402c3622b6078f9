import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { postJson, startTollgate, tempDir, type RunningTollgate } from '../helpers/tollgate.js';

/** Limits set by `tollgate keys create --rpm/--tpm/--token-budget` are enforced on that key's calls. */
describe('limits carried by an API key', () => {
  let tg: RunningTollgate;
  let secret: string;
  let now = Date.UTC(2026, 0, 1, 12, 0, 5);
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    const created = runCli(['keys', 'create', '--file', file, '--subject', 'svc-k', '--models', 'gpt-4o*', '--rpm', '2', '--tpm', '100000', '--token-budget', '300/1d', '--json']);
    expect(created.status).toBe(0);
    secret = (JSON.parse(created.stdout) as { key: string }).key;
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file }, undefined, () => now);
  }, 60_000);
  afterAll(() => tg?.stop());

  const authorize = async (maxTokens: number) => (await postJson(`${tg.url}/v1/authorize`, {
    method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${secret}` }, body: { model: 'gpt-4o', max_tokens: maxTokens },
  })).json;

  test('rpm, and the most constraining tokens limit (the day budget, not the tpm) decide', async () => {
    const first = await authorize(100);
    expect(first).toMatchObject({ allow: true, response_headers: { 'x-ratelimit-limit-requests': '2', 'x-ratelimit-limit-tokens': '300' } });
    expect(await authorize(250)).toMatchObject({ allow: false, status: 429, reason: 'tokens_limit_exceeded' });
    expect((await authorize(10)).allow).toBe(true);
    expect(await authorize(10)).toMatchObject({ allow: false, status: 429, reason: 'requests_limit_exceeded' });
    now += 60_000;
    expect((await authorize(10)).allow).toBe(true);
  });
});
