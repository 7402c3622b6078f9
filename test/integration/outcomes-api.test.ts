import path from 'node:path';
import { postJson, startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

const HOOK_TOKEN = 'outcomes-test-hook-token-0123456789';
const hook = { 'x-tollgate-hook-token': HOOK_TOKEN };

describe('POST /v1/outcomes', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file, TOLLGATE_HOOK_TOKEN: HOOK_TOKEN });
  });
  afterAll(() => tg.stop());

  const outcomes = () => tg.logs.filter((l) => l.log_type === 'outcome');
  const authorize = async () => (await postJson(`${tg.url}/v1/authorize`, {
    method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${key.secret}` }, body: { model: 'gpt-4o-mini', messages: [] },
  })).json.decision_id as string;

  test.each<{ name: string; headers: Record<string, string> }>([
    { name: 'no hook token', headers: {} },
    { name: 'wrong hook token', headers: { 'x-tollgate-hook-token': 'not-the-token-0123456789' } },
    { name: 'the caller key is not a hook token', headers: { 'x-tollgate-hook-token': 'x', authorization: `Bearer ${HOOK_TOKEN}` } },
  ])('$name is 401', async ({ headers }) => {
    const res = await postJson(`${tg.url}/v1/outcomes`, { decision_id: 'd' }, headers);
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('unauthenticated');
  });

  test('an outcome is recorded once, linked to the decision and its caller', async () => {
    const decisionId = await authorize();
    const report = { decision_id: decisionId, model: 'gpt-4o-mini-2024-07-18', provider: 'openai', usage: { prompt_tokens: 12, completion_tokens: 8 },
      cost_usd: 0.0001, tool_calls: ['get_weather'], stream: false, status: 'success' };
    expect((await postJson(`${tg.url}/v1/outcomes`, report, hook)).json).toEqual({ result: 'recorded', decision_id: decisionId });
    expect((await postJson(`${tg.url}/v1/outcomes`, report, hook)).json).toEqual({ result: 'duplicate', decision_id: decisionId });
    const records = outcomes().filter((o) => o.decision_id === decisionId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      decision_known: true, format: 'tollgate', subject: 'svc-a', credential: 'api_key', key_id: key.id, requested_model: 'gpt-4o-mini',
      model: 'gpt-4o-mini-2024-07-18', provider: 'openai', total_tokens: 20, cost_usd: 0.0001, tool_calls: ['get_weather'], status: 'success',
    });
    expect(tg.rawLogs()).not.toContain(HOOK_TOKEN);
  });

  test('a LiteLLM generic webhook batch: linked items recorded, foreign ones ignored', async () => {
    const decisionId = await authorize();
    const batch = [
      { id: 'c1', status: 'success', model: 'gpt-4o-mini', total_tokens: 5, metadata: { user_api_key_auth_metadata: { tollgate_decision_id: decisionId } }, response: {} },
      { id: 'c2', status: 'success', metadata: {} },
    ];
    const res = await postJson(`${tg.url}/v1/outcomes`, batch, hook);
    expect(res.json).toEqual({ recorded: 1, duplicate: 0, ignored: 1 });
    expect(outcomes().find((o) => o.decision_id === decisionId)).toMatchObject({ format: 'litellm_webhook', subject: 'svc-a', key_id: key.id, total_tokens: 5 });
  });

  test('a decision Tollgate no longer remembers keeps the caller the gateway reported', async () => {
    await postJson(`${tg.url}/v1/outcomes`, { decision_id: 'forgotten-1', subject: 'svc-z' }, hook);
    expect(outcomes().find((o) => o.decision_id === 'forgotten-1')).toMatchObject({ decision_known: false, subject: 'svc-z', key_id: null });
  });

  test.each([
    { name: 'no decision id', body: { model: 'x' }, status: 400 },
    { name: 'not JSON', body: '{', status: 400 },
  ])('$name is $status', async ({ body, status }) => {
    expect((await postJson(`${tg.url}/v1/outcomes`, body, hook)).status).toBe(status);
  });
});

describe('POST /v1/outcomes without a configured hook token', () => {
  test('is off (503), whatever is sent', async () => {
    const tg = await startTollgate();
    try {
      const res = await postJson(`${tg.url}/v1/outcomes`, { decision_id: 'd' }, { 'x-tollgate-hook-token': 'anything-at-all-123' });
      expect(res.status).toBe(503);
      expect(res.json.error.code).toBe('outcomes_disabled');
    } finally {
      await tg.stop();
    }
  });
});
