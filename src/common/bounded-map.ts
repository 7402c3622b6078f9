/**
 * A Map that forgets its least recently used entries past `capacity` (Map keeps insertion order;
 * `get` and `set` move an entry to the end).
 *
 * Eviction reads the oldest key through one long-lived iterator. A fresh `keys().next()` would start
 * at slot 0 of V8's hash table and step over every entry deleted since the last rehash: at capacity,
 * every `set` deletes one, so each eviction would cost O(capacity) (tens of µs at 50k entries).
 * Everything before the iterator's position has been evicted and every live entry lies after it
 * (a moved entry is re-inserted at the end), so with more entries than capacity it yields the
 * oldest live one, and the holes it steps over are paid for once.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();
  private readonly oldest: Iterator<K> = this.entries.keys();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.oldest.next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
