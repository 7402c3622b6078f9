import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseKeyFileYaml } from '../../src/identity/key-file-yaml.js';

/** Key files as `tollgate keys` writes them (header + yaml.stringify) and as people edit them. */
const header = '# Tollgate API keys, managed by `tollgate keys`. Only SHA-256 hashes of secrets are stored.\n';
const base = { id: 'abcdefghijkl', hash: `sha256:${'a'.repeat(64)}`, subject: 'agent-7', models: ['gpt-4o*', 'claude-*'], scopes: [], created_at: '2026-01-01T00:00:00.000Z', expires_at: null, disabled: false };
const written = (keys: unknown[]) => header + stringifyYaml({ keys });

const cases: Array<{ name: string; text: string }> = [
  { name: 'as written', text: written([base, { ...base, id: 'bcdefghijklm', models: [], scopes: ['model:gpt-4o', 'admin'], disabled: true, expires_at: '2027-01-01T00:00:00Z', revoked_at: '2026-02-01T00:00:00Z' }]) },
  { name: 'values YAML would type or quote', text: written([{ ...base, id: '123456789012', subject: 'true', description: 'a: b # c', models: ['null', '1e3', '0x1F', '~', ' lead', 'trail ', "it's", '"q"', '-x', 'multi\nline', 'é'] }]) },
  { name: 'empty list written as key:', text: 'keys:\n  - id: abcdefghijkl\n    models:\n    scopes: []\n' },
  { name: 'hand-edited: comments between items', text: `${written([base, base])}  # trailing comment\n` },
  { name: 'hand-edited: flow style', text: 'keys: [{id: abcdefghijkl, models: [a, b]}]\n' },
  { name: 'hand-edited: dash at column 0', text: 'keys:\n- id: abcdefghijkl\n  models: [a]\n' },
  { name: 'hand-edited: anchors and aliases across items', text: 'keys:\n  - id: abcdefghijkl\n    models: &m\n      - gpt-4o\n  - id: bcdefghijklm\n    models: *m\n' },
  { name: 'CRLF line ends', text: written([base]).replace(/\n/g, '\r\n') },
  { name: 'numbers and booleans', text: 'keys:\n  - id: abcdefghijkl\n    disabled: False\n    expires_at: ~\n    subject: 12\n    description: .5\n' },
  { name: 'empty file', text: '' },
  { name: 'no keys', text: 'keys: []\n' },
];

describe('parseKeyFileYaml', () => {
  test.each(cases)('$name: same value as the YAML library', ({ text }) => {
    expect(parseKeyFileYaml(text)).toEqual(parseYaml(text));
  });

  test.each(['*alias', '@at', '&anchor', '!tag', '`tick'])('an item starting %s is read by the YAML library', (value) => {
    const text = `keys:\n  - id: abcdefghijkl\n    subject: ${value}\n`;
    let expected: unknown;
    try {
      expected = parseYaml(text);
    } catch (err) {
      expect(() => parseKeyFileYaml(text)).toThrow((err as Error).constructor as new () => Error);
      return;
    }
    expect(parseKeyFileYaml(text)).toEqual(expected);
  });

  test('a broken item is still the YAML library\'s error', () => {
    const text = 'keys:\n  - id: [unclosed\n';
    expect(() => parseKeyFileYaml(text)).toThrow();
  });
});
