import { postJson, startTollgate, type RunningTollgate } from '../helpers/tollgate.js';

const HOOK_TOKEN = 'outcome-batches-hook-token-0123456789';
const hook = { 'x-tollgate-hook-token': HOOK_TOKEN };
const MAX = 2000;

/** One webhook entry per decision id (reported callers: these decisions are not remembered). */
const batch = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({
  id: `c${i}`, status: 'success', model: 'gpt-4o-mini', total_tokens: 1,
  metadata: { user_api_key_auth_metadata: { tollgate_decision_id: `${prefix}-${i}` }, user_api_key_user_id: `svc-${i % 7}` }, response: {},
}));

describe('outcome batches', () => {
  let tg: RunningTollgate;
  beforeAll(async () => {
    tg = await startTollgate({ TOLLGATE_HOOK_TOKEN: HOOK_TOKEN, TOLLGATE_OUTCOMES__MAX_BATCH_ENTRIES: String(MAX) });
  });
  afterAll(() => tg.stop());

  test.each([MAX + 1, MAX * 3])('%i entries is a 413 before anything is recorded', async (n) => {
    const before = tg.logs.length;
    const res = await postJson(`${tg.url}/v1/outcomes`, batch(n, `over${n}`), hook);
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('request_too_large');
    expect(tg.logs.slice(before).filter((l) => l.log_type === 'outcome')).toEqual([]);
  });

  test('a full batch is recorded, and decisions asked meanwhile are answered before it finishes', async () => {
    const order: string[] = [];
    const recording = postJson(`${tg.url}/v1/outcomes`, batch(MAX, 'full'), hook).then((res) => {
      order.push('batch');
      return res;
    });
    // Asked once the batch is being recorded (its first outcome record is written).
    while (!tg.logs.some((l) => l.log_type === 'outcome')) await new Promise((r) => setImmediate(r));
    const decision = postJson(`${tg.url}/v1/authorize`, { method: 'GET', path: '/v1/models', headers: {} }).then((res) => {
      order.push('decision');
      return res;
    });
    const [res] = await Promise.all([recording, decision]);
    expect(res.json).toEqual({ recorded: MAX, duplicate: 0, ignored: 0 });
    expect(order).toEqual(['decision', 'batch']);
  });
});
