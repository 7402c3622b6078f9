import { PassThrough } from 'node:stream';
import { createLoggers } from '../../src/observability/logger.js';
import { redact, redactString } from '../../src/observability/redact.js';

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
