import type { Readable, Writable } from 'node:stream';

const NEWLINE = 0x0a;

/**
 * Copies every worker's stdout to the primary's, whole lines only. Workers writing to one shared pipe
 * could interleave: a write over PIPE_BUF (4 KiB; audit lines with prompts' findings or a recorded
 * input can be larger) is not atomic. Here each worker has its own pipe and only the primary writes
 * the real stdout. Backpressure is kept: while stdout is backed up no worker pipe is read, so a
 * worker's audit sink sees its own stdout congested (and drops or denies, as configured).
 */
export class LineRelay {
  private readonly sources = new Set<Readable>();
  private waiting = false;

  constructor(private readonly out: Writable) {}

  add(source: Readable): void {
    let partial: Buffer[] = [];
    this.sources.add(source);
    source.on('data', (chunk: Buffer) => {
      const end = chunk.lastIndexOf(NEWLINE) + 1;
      if (end === 0) {
        partial.push(chunk);
        return;
      }
      const lines = partial.length === 0 ? chunk.subarray(0, end) : Buffer.concat([...partial, chunk.subarray(0, end)]);
      partial = end === chunk.length ? [] : [chunk.subarray(end)];
      this.write(lines);
    });
    // A worker that died mid-line: its fragment still gets a line of its own, not the start of another's.
    source.once('end', () => {
      this.sources.delete(source);
      if (partial.length > 0) this.write(Buffer.concat([...partial, Buffer.from('\n')]));
      partial = [];
    });
    if (this.waiting) source.pause();
  }

  private write(lines: Buffer): void {
    if (this.out.write(lines) || this.waiting) return;
    this.waiting = true;
    for (const s of this.sources) s.pause();
    this.out.once('drain', () => {
      this.waiting = false;
      for (const s of this.sources) s.resume();
    });
  }
}
