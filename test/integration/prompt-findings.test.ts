import path from 'node:path';
import { postJson, startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

// Assembled at run time; not a live credential.
const AWS_KEY = `AKIA${'Z7QW3ERTY5UIOP2A'}`;
const CARD = '4111 1111 1111 1111';

describe('prompt findings through a real Tollgate (native API, default policy)', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  const authorize = (path_: string, body: unknown, headers: Record<string, string> = {}) => postJson(`${tg.url}/v1/authorize`, {
    method: 'POST', path: path_, headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}`, ...headers }, body: JSON.stringify(body),
  });
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'agent', models: ['gpt-4o*'], tools: ['deploy'] }]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file });
  });
  afterAll(() => tg?.stop());

  test('a model call whose prompt carries a secret is denied (prompt_secret); the record lists kinds, nothing holds the value', async () => {
    const res = await authorize('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `why does ${AWS_KEY} fail? bill ${CARD}` }] });
    expect(res.json).toMatchObject({ allow: false, status: 403, reason: 'prompt_secret' });
    expect(tg.decisions().at(-1)).toMatchObject({ reason: 'prompt_secret', findings: [{ kind: 'pii.payment_card', count: 1 }, { kind: 'secret.aws_access_key', count: 1 }] });
    const metrics = await (await fetch(`${tg.adminUrl}/metrics`)).text();
    for (const text of [JSON.stringify(res.json), tg.rawLogs(), metrics]) {
      expect(text).not.toContain(AWS_KEY);
      expect(text).not.toContain(CARD);
    }
  });

  test('PII alone is a fact for policy: the call is allowed and the record says what was found', async () => {
    const res = await authorize('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'mail alice@example.com' }] });
    expect(res.json).toMatchObject({ allow: true });
    expect(tg.decisions().at(-1)?.findings).toEqual([{ kind: 'pii.email', count: 1 }]);
  });

  test('findings in MCP tool arguments reach the record; the default policy leaves them to custom rules', async () => {
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'deploy', arguments: { token: AWS_KEY } } };
    const res = await authorize('/mcp', call);
    expect(res.json).toMatchObject({ allow: true });
    expect(tg.decisions().at(-1)).toMatchObject({ mcp_tools: ['deploy'], findings: [{ kind: 'secret.aws_access_key', count: 1 }] });
    expect(tg.rawLogs()).not.toContain(AWS_KEY);
  });

  test('a chat call offering a tool the caller was not granted is denied once it has any tool grant', async () => {
    const tools = (name: string) => [{ type: 'function', function: { name, parameters: { type: 'object' } } }];
    expect((await authorize('/v1/chat/completions', { model: 'gpt-4o', messages: [], tools: tools('deploy') })).json.allow).toBe(true);
    expect((await authorize('/v1/chat/completions', { model: 'gpt-4o', messages: [], tools: tools('drop_database') })).json).toMatchObject({ allow: false, reason: 'tool_not_allowed' });
  });
});
