import { PassThrough, Writable } from 'node:stream';
import { LineRelay } from '../../../src/server/cluster/line-relay.js';

/** A destination that records each write and reports backpressure until `drain()`. */
function destination(congested = false) {
  const writes: string[] = [];
  let pending: (() => void) | null = null;
  const out = new Writable({
    highWaterMark: congested ? 1 : 1 << 20,
    write(chunk: Buffer, _enc, done) {
      writes.push(chunk.toString());
      if (congested) pending = done;
      else done();
    },
  });
  return { out, writes, drain: () => pending?.() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('LineRelay', () => {
  test('writes only whole lines, even when two sources split lines mid-way', async () => {
    const { out, writes } = destination();
    const relay = new LineRelay(out);
    const a = new PassThrough();
    const b = new PassThrough();
    relay.add(a);
    relay.add(b);
    a.write('{"w":"a","n":1}\n{"w":"a",');
    b.write('{"w":"b","n":1}\n{"w":"b","n"');
    await tick();
    a.write('"n":2}\n');
    b.write(':2}\n{"w":"b","n":3}\n');
    await tick();
    expect(writes.every((w) => w.endsWith('\n'))).toBe(true);
    const lines = writes.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { w: string; n: number });
    expect(lines.filter((l) => l.w === 'a').map((l) => l.n)).toEqual([1, 2]);
    expect(lines.filter((l) => l.w === 'b').map((l) => l.n)).toEqual([1, 2, 3]);
  });

  test('a source that ends mid-line gets its fragment terminated, so the next line starts clean', async () => {
    const { out, writes } = destination();
    const relay = new LineRelay(out);
    const dying = new PassThrough();
    relay.add(dying);
    dying.end('{"cut":');
    await tick();
    expect(writes).toEqual(['{"cut":\n']);
  });

  test('while the destination is backed up no source is read', async () => {
    const { out, writes, drain } = destination(true);
    const relay = new LineRelay(out);
    const a = new PassThrough();
    const b = new PassThrough();
    relay.add(a);
    relay.add(b);
    a.write('first\n');
    await tick();
    expect(a.isPaused() && b.isPaused()).toBe(true);
    b.write('second\n');
    await tick();
    expect(writes).toEqual(['first\n']);
    drain();
    await tick();
    // Resumed on drain: b's waiting line goes out (and, the destination still tiny, pauses them again).
    expect(writes).toEqual(['first\n', 'second\n']);
  });
});
