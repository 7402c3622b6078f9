import { KeyIdTable } from '../../../src/identity/key-id-table.js';
import { Utf8Column } from '../../../src/identity/utf8-column.js';

describe('key id table', () => {
  test('every added id is found at its slot through growth and trimming; others are not', () => {
    const table = new KeyIdTable(4);
    // Sequential ids (as a generator may write them) and random-looking ones, past several doublings.
    const ids = Array.from({ length: 5000 }, (_, i) => (i % 2 ? i.toString(36).padStart(12, '0') : `k${(i * 7919).toString(36).padStart(11, 'z')}`));
    ids.forEach((id, i) => expect(table.add(id)).toBe(i));
    expect(table.add(ids[42])).toBe(-1);
    for (const candidate of [table, table.trimmed()]) {
      expect(candidate.size).toBe(ids.length);
      expect(ids.every((id, i) => candidate.find(id) === i && candidate.id(i) === id)).toBe(true);
      expect(['zzzzzzzzzzzz', '000000000000x', '00000000000', ''].map((id) => candidate.find(id))).toEqual([-1, -1, -1, -1]);
    }
  });
});

describe('utf8 column', () => {
  test('strings come back as pushed, multi-byte ones included, through growth and trimming', () => {
    const column = new Utf8Column(2);
    const strings = ['team-a/svc-1', 'équipe/ü', '', 'x'.repeat(5000), '服务/✓', 'emoji-😀'];
    for (let i = 0; i < 300; i++) column.push(strings[i % strings.length]);
    for (const candidate of [column, column.trimmed()]) {
      expect(candidate.size).toBe(300);
      expect(Array.from({ length: 300 }, (_, i) => candidate.get(i))).toEqual(Array.from({ length: 300 }, (_, i) => strings[i % strings.length]));
    }
  });
});
