import path from 'node:path';
import { decodeNativeRequest } from '../../src/adapters/native/decode.js';
import { startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

/**
 * The hot path's promise: with API keys and the in-memory stores (the default, limits included), a decision is made
 * without a single promise, so an HTTP answer is written within the request's own 'end' event. A
 * store or resolver turned asynchronous would silently add a microtask per step to every decision.
 */
describe('the default configuration decides synchronously', () => {
  let tg: RunningTollgate;
  let key: TestKey;
  let limited: TestKey;
  beforeAll(async () => {
    const keyFile = path.join(tempDir(), 'keys.yaml');
    [key, limited] = writeKeys(keyFile, [
      { subject: 'svc-a', models: ['gpt-4o*'] },
      { subject: 'svc-limited', models: ['gpt-4o*'], limits: { rpm: 1000, tpm: 1_000_000 } },
    ]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: keyFile });
  });
  afterAll(() => tg.stop());

  const chat = (headers: Record<string, string>) => decodeNativeRequest({
    method: 'POST', path: '/v1/chat/completions', headers, body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
  }, '127.0.0.1');

  test.each([
    ['an allow with an API key', () => ({ authorization: `Bearer ${key.secret}` }), true],
    ['an allow with a key whose limits are kept in memory', () => ({ authorization: `Bearer ${limited.secret}` }), true],
    ['a deny for an unknown key', () => ({ authorization: 'Bearer tg_unknownkey00_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), false],
    ['an anonymous call', () => ({}), false],
  ])('%s: a Decision, not a promise', (_name, headers, allow) => {
    const decision = tg.app.pipeline.authorize(chat(headers()));
    expect(decision).not.toBeInstanceOf(Promise);
    expect(decision).toMatchObject({ allow });
  });
});
