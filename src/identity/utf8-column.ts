/**
 * Strings by index, kept as UTF-8 in one buffer (~4 B a string besides its bytes, off the V8 heap)
 * and decoded when read: for values read once per use, such as a key's subject when its principal is built.
 */
export class Utf8Column {
  private bytes: Buffer;
  /** Where string i ends in bytes (it starts where i - 1 ends). */
  private ends: Uint32Array;
  private count = 0;

  constructor(capacity = 1024) {
    this.bytes = Buffer.alloc(capacity * 16);
    this.ends = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(text: string): void {
    const start = this.start(this.count);
    const length = Buffer.byteLength(text);
    if (start + length > this.bytes.length) this.bytes = Buffer.concat([this.bytes], Math.max(this.bytes.length * 2, start + length, 256));
    if (this.count === this.ends.length) this.ends = grown(this.ends, Math.max(16, this.ends.length * 2));
    this.bytes.write(text, start, length, 'utf8');
    this.ends[this.count++] = start + length;
  }

  get(index: number): string {
    return this.bytes.toString('utf8', this.start(index), this.ends[index]);
  }

  /** A copy sized to its strings. */
  trimmed(): Utf8Column {
    const column = new Utf8Column(0);
    column.bytes = Buffer.concat([this.bytes.subarray(0, this.start(this.count))]);
    column.ends = this.ends.slice(0, this.count);
    column.count = this.count;
    return column;
  }

  /** Where string index - 1 ends. */
  private start(index: number): number {
    return index === 0 ? 0 : this.ends[index - 1];
  }
}

function grown(from: Uint32Array, length: number): Uint32Array {
  const to = new Uint32Array(length);
  to.set(from);
  return to;
}
