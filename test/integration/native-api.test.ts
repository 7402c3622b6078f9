import path from 'node:path';
import { postJson, startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

describe('native authorize API with API keys and the default policy', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  beforeAll(async () => {
    const dir = tempDir();
    const file = path.join(dir, 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'svc-a', models: ['gpt-4o*'] }]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file });
  });
  afterAll(() => tg.stop());

  const chat = (model: string, headers: Record<string, string>) => ({
    method: 'POST', path: '/v1/chat/completions', headers, body: { model, messages: [{ role: 'user', content: 'hi' }] },
  });

  test('allowed model', async () => {
    const res = await postJson(`${tg.url}/v1/authorize`, chat('gpt-4o-mini', { authorization: `Bearer ${key.secret}` }));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ allow: true, status: 200, reason: 'allowed', identity: { subject: 'svc-a', key_id: key.id } });
    expect(res.json.headers).toMatchObject({ 'x-tollgate-subject': 'svc-a', 'x-tollgate-key-id': key.id, 'x-tollgate-decision-id': res.json.decision_id });
  });

  test('denied model', async () => {
    const res = await postJson(`${tg.url}/v1/authorize`, chat('o1', { 'x-api-key': key.secret }));
    expect(res.json).toMatchObject({ allow: false, status: 403, reason: 'model_not_allowed' });
  });
});
