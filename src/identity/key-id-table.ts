/** Key ids are 12 characters of [a-z0-9] (the key file schema and the secret pattern say so). */
export const KEY_ID_LENGTH = 12;
/** What add() can store byte for byte; anything else would be cut or padded into another id. */
const STORABLE_ID = new RegExp(`^[a-z0-9]{${KEY_ID_LENGTH}}$`);

/**
 * Key ids by slot, in one buffer of ASCII bytes, found through an open-addressing table of slot
 * numbers (linear probing, at most half full): ~20-28 B a key, and no string or map entry per key on
 * the V8 heap, where a Map<string, number> cost ~80 B a key plus the headroom V8 keeps above it.
 * The stored ids come from the key file (trusted); a presented id only probes.
 */
export class KeyIdTable {
  private ids: Buffer;
  /** slot + 1 per used position, 0 = free; its length is a power of two. */
  private positions: Uint32Array;
  private count = 0;

  constructor(capacity = 1024) {
    this.ids = Buffer.alloc(capacity * KEY_ID_LENGTH);
    this.positions = new Uint32Array(tableLength(capacity));
  }

  get size(): number {
    return this.count;
  }

  /** The slot of the id, or -1. */
  find(id: string): number {
    if (id.length !== KEY_ID_LENGTH) return -1;
    const mask = this.positions.length - 1;
    for (let at = hashOfString(id) & mask; ; at = (at + 1) & mask) {
      const entry = this.positions[at];
      if (entry === 0) return -1;
      if (this.idEquals(entry - 1, id)) return entry - 1;
    }
  }

  /** The id's new slot (the next one), or -1 when the id is already in the table. */
  add(id: string): number {
    if (!STORABLE_ID.test(id)) throw new Error(`key id ${JSON.stringify(id)} is not ${KEY_ID_LENGTH} characters of [a-z0-9]`);
    if (this.find(id) !== -1) return -1;
    const slot = this.count;
    if ((slot + 1) * KEY_ID_LENGTH > this.ids.length) this.ids = Buffer.concat([this.ids], Math.max(this.ids.length * 2, 16 * KEY_ID_LENGTH));
    this.ids.write(id, slot * KEY_ID_LENGTH, KEY_ID_LENGTH, 'latin1');
    this.count++;
    if (this.count * 2 > this.positions.length) {
      this.positions = new Uint32Array(this.positions.length * 2);
      this.placeAll();
    } else {
      this.place(slot);
    }
    return slot;
  }

  id(slot: number): string {
    return this.ids.toString('latin1', slot * KEY_ID_LENGTH, (slot + 1) * KEY_ID_LENGTH);
  }

  /** A copy sized to its ids (at most half full), so a finished index keeps no spare capacity. */
  trimmed(): KeyIdTable {
    const table = new KeyIdTable(0);
    table.ids = Buffer.concat([this.ids.subarray(0, this.count * KEY_ID_LENGTH)]);
    table.count = this.count;
    table.positions = new Uint32Array(tableLength(this.count));
    table.placeAll();
    return table;
  }

  /** Into a fresh (all free) table. */
  private placeAll(): void {
    for (let slot = 0; slot < this.count; slot++) this.place(slot);
  }

  private place(slot: number): void {
    const mask = this.positions.length - 1;
    let at = hashOfBytes(this.ids, slot * KEY_ID_LENGTH) & mask;
    while (this.positions[at] !== 0) at = (at + 1) & mask;
    this.positions[at] = slot + 1;
  }

  private idEquals(slot: number, id: string): boolean {
    const offset = slot * KEY_ID_LENGTH;
    for (let i = 0; i < KEY_ID_LENGTH; i++) if (this.ids[offset + i] !== id.charCodeAt(i)) return false;
    return true;
  }
}

/** A power of two at least twice the count. */
function tableLength(count: number): number {
  let length = 16;
  while (length < count * 2) length *= 2;
  return length;
}

// FNV-1a, then murmur3's finalizer: sequential ids (as a generator may write) still spread.
function hashOfString(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < KEY_ID_LENGTH; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return mix(h);
}

function hashOfBytes(bytes: Buffer, offset: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < KEY_ID_LENGTH; i++) h = Math.imul(h ^ bytes[offset + i], 0x01000193);
  return mix(h);
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
