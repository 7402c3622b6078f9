import fc from 'fast-check';
import { BoundedMap } from '../../../src/common/bounded-map.js';

/** A plain array model of an LRU: oldest first. */
class ModelLru {
  keys: number[] = [];
  values = new Map<number, number>();
  constructor(private readonly capacity: number) {}
  get(k: number): number | undefined {
    if (!this.values.has(k)) return undefined;
    this.keys = [...this.keys.filter((x) => x !== k), k];
    return this.values.get(k);
  }
  set(k: number, v: number): void {
    this.keys = [...this.keys.filter((x) => x !== k), k];
    this.values.set(k, v);
    if (this.keys.length > this.capacity) this.values.delete(this.keys.shift()!);
  }
  delete(k: number): void {
    this.keys = this.keys.filter((x) => x !== k);
    this.values.delete(k);
  }
}

describe('BoundedMap', () => {
  test('keeps the most recently used entries', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.get('a');
    m.set('c', 3);
    expect([m.has('a'), m.has('b'), m.has('c'), m.size]).toEqual([true, false, true, 2]);
  });

  test('behaves as an LRU for any sequence of get, set and delete, across many evictions', () => {
    const op = fc.tuple(fc.constantFrom('get', 'set', 'delete'), fc.integer({ min: 0, max: 40 }), fc.integer());
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 400 }), (capacity, ops) => {
      const real = new BoundedMap<number, number>(capacity);
      const model = new ModelLru(capacity);
      for (const [name, k, v] of ops) {
        if (name === 'get') expect(real.get(k)).toBe(model.get(k));
        else if (name === 'set') { real.set(k, v); model.set(k, v); } else { real.delete(k); model.delete(k); }
        expect(real.size).toBe(model.keys.length);
      }
      for (let k = 0; k <= 40; k++) expect(real.has(k)).toBe(model.values.has(k));
    }), { numRuns: 500 });
  });
});
