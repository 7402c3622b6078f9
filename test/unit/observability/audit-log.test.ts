import { Writable } from 'node:stream';
import { createLogger, transports, type Logger } from 'winston';
import { batchedAuditLogger } from '../../../src/observability/audit-log.js';
import { AuditTrail } from '../../../src/observability/audit-trail.js';
import { jsonLineFormat } from '../../../src/observability/json-line.js';

/** A destination that keeps every write it gets, so a test sees both the bytes and how many writes. */
class Collector extends Writable {
  readonly writes: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.writes.push(chunk.toString());
    done();
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const TIME = '2026-12-04T00:00:00.000Z';

function auditLog(): { log: Logger; close: () => Promise<void>; out: Collector } {
  const out = new Collector();
  const { audit, close } = batchedAuditLogger(new AuditTrail({ stream: out, file: null, maxBufferBytes: 1 << 20, failClosed: false }));
  return { log: audit, close, out };
}

/** The line a winston logger with its stream transports writes in the same format. */
async function winstonLine(write: (logger: Logger) => void): Promise<string> {
  const out = new Collector();
  const logger = createLogger({ level: 'info', format: jsonLineFormat(), transports: [new transports.Stream({ stream: out })] });
  write(logger);
  await turn();
  return out.writes.join('');
}

describe('batchedAuditLogger', () => {
  const record = () => ({ message: 'decision', log_type: 'decision', decision_id: 'd1', tools: ['a'], authorization: 'Bearer x', timestamp: TIME });
  const fields = () => ({ log_type: 'outcome', decision_id: 'd1', note: 'key tg_abcdefghijkl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', timestamp: TIME });

  test.each([
    ['a record', (l: Logger) => l.info(record())],
    ['a message and fields', (l: Logger) => l.info('outcome', fields())],
    ['a message and fields holding a message', (l: Logger) => l.info('outcome', { ...fields(), message: 'late' })],
  ])('%s: the same bytes as through winston\'s transports (field order, level, redaction)', async (_name, write) => {
    const { log, out } = auditLog();
    write(log);
    await turn();
    expect(out.writes.join('')).toBe(await winstonLine(write));
  });

  test('records of one event-loop turn reach the destination in one write, in order', async () => {
    const { log, out } = auditLog();
    for (let i = 0; i < 5; i++) log.info({ message: 'decision', n: i });
    expect(out.writes).toEqual([]);
    await turn();
    expect(out.writes).toHaveLength(1);
    expect(out.writes[0].trimEnd().split('\n').map((l) => JSON.parse(l).n)).toEqual([0, 1, 2, 3, 4]);
    log.info({ message: 'decision', n: 5 });
    await turn();
    expect(out.writes).toHaveLength(2);
  });

  test('close writes what is pending', async () => {
    const { log, close, out } = auditLog();
    log.info({ message: 'decision', n: 1 });
    await close();
    expect(out.writes.join('')).toContain('"n":1');
  });
});
