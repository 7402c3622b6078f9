import { PassThrough } from 'node:stream';
import { createLoggers } from '../../../src/observability/logger.js';
import { redact, redactString } from '../../../src/observability/redact.js';

const KEY = 'tg_abcdefghijkl_' + 'A'.repeat(43);
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

describe('log redaction', () => {
  test('credential fields and credential-shaped text are removed', () => {
    const out = JSON.stringify(redact({
      headers: { authorization: `Bearer ${KEY}`, 'x-api-key': KEY, 'api-key': 'azure-secret', cookie: 'sid=1', accept: 'json' },
      message: `token ${JWT} rejected for key ${KEY}`,
      nested: [{ password: 'p' }],
      key_id: 'abcdefghijkl',
    }));
    for (const secret of [KEY, JWT, 'azure-secret', 'sid=1', '"p"']) expect(out).not.toContain(secret);
    expect(out).toContain('abcdefghijkl');
    expect(out).toContain('json');
  });

  test('Bearer tokens of any shape in free text', () => {
    expect(redactString('Authorization: Bearer sk-live-123')).toBe('Authorization: Bearer [REDACTED]');
  });

  test('the winston formatter applies to every line written', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => { text += c.toString(); });
    const loggers = createLoggers({ level: 'info', auditFile: null, stream });
    loggers.app.info(`failed with ${KEY}`, { authorization: `Bearer ${JWT}`, detail: { token: 'raw' } });
    loggers.audit.info('decision', { headers: { 'x-api-key': KEY } });
    await new Promise((r) => setImmediate(r));
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
    for (const secret of [KEY, JWT, '"raw"']) expect(text).not.toContain(secret);
  });
});

/** Every secret shape Tollgate recognises, as a caller or a provider would send it. */
const SECRETS = [
  { name: 'Tollgate key', secret: KEY },
  { name: 'JWT', secret: JWT },
  { name: 'OpenAI key', secret: 'sk-proj-' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'.repeat(2) },
  { name: 'OpenAI legacy key', secret: 'sk-' + 'T3BlbkFJ'.repeat(6) },
  { name: 'Anthropic key', secret: 'sk-ant-api03-' + 'aB1_cD2-eF3gH4iJ5kL6'.repeat(5) },
  { name: 'Google API key', secret: 'AIza' + 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q' },
  { name: 'AWS access key id', secret: 'AKIA' + 'IOSFODNN7EXAMPLE' },
  { name: 'AWS temporary key id', secret: 'ASIA' + 'IOSFODNN7EXAMPLE' },
];

/** Where secrets turn up: free text, after `_`, percent-encoded query strings and paths, headers. */
const CONTEXTS = [
  { name: 'free text', wrap: (s: string) => `rejected ${s} here` },
  { name: 'after _', wrap: (s: string) => `api_key_${s}` },
  { name: 'after %2F', wrap: (s: string) => `/v1/keys%2F${s}%2Fx` },
  { name: 'after %3D', wrap: (s: string) => `/cb?key%3D${s}&x=1` },
  { name: 'after lower-case %3d', wrap: (s: string) => `key%3d${s}` },
  { name: 'after =', wrap: (s: string) => `?key=${s}` },
  { name: 'quoted JSON', wrap: (s: string) => `{"k":"${s}"}` },
  { name: 'at the start', wrap: (s: string) => s },
];

describe.each(SECRETS)('$name', ({ secret }) => {
  test.each(CONTEXTS)('is removed in $name', ({ wrap }) => {
    const out = redactString(wrap(secret));
    expect(out).not.toContain(secret);
    // Nothing but the recognisable prefix survives.
    expect(out).not.toContain(secret.slice(secret.length - 12));
  });
});

describe('redaction boundaries', () => {
  test.each([
    ['AWS secret access key by its name', 'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI'],
    ['Bearer after %20', 'Authorization%3ABearer%20abc.def.ghi', 'abc.def'],
  ])('%s', (_name, text, secret) => {
    expect(redactString(text)).not.toContain(secret);
  });

  test.each(['task-0123456789abcdefghijklmno', 'VisualBasic code', 'gpt-4o-mini', 'claude-3-5-sonnet-20241022'])('%s is left alone', (text) => {
    expect(redactString(text)).toBe(text);
  });
});

describe('bounded log values', () => {
  test.each([1025, 10_000, 1024 * 1024])('a %i-char string keeps 1024 chars and says how long it was', (n) => {
    const out = redactString('m'.repeat(n));
    expect(out).toBe(`${'m'.repeat(1024)}…[truncated, ${n} chars]`);
  });

  test('a secret across the cut is still redacted', () => {
    for (let at = 1000; at <= 1030; at++) {
      const out = redactString('p'.repeat(at) + KEY + 'q'.repeat(5000));
      expect(out).not.toContain(KEY.slice(16, 40));
    }
  });

  test('a surrogate pair is never split', () => {
    const out = redactString('a'.repeat(1023) + '😀'.repeat(100));
    expect(out.startsWith('a'.repeat(1023) + '…')).toBe(true);
  });

  test('lists keep 32 items and count the rest; objects keep 64 keys', () => {
    const out = redact({ tools: Array.from({ length: 10_000 }, (_, i) => `tool${i}`), headers: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`h${i}`, 'v'])) }) as {
      tools: string[]; headers: Record<string, string>;
    };
    expect(out.tools).toHaveLength(33);
    expect(out.tools.at(-1)).toBe('…[9968 more]');
    expect(Object.keys(out.headers)).toHaveLength(65);
    expect(out.headers['…']).toBe('36 more keys');
  });
});
