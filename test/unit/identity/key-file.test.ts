import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseKeyFileText, readKeyFile, writeKeyFile, type KeyRecord } from '../../../src/identity/key-file.js';
import { tempDir } from '../../helpers/tollgate.js';

const base: KeyRecord = {
  id: 'abcdefghijkl', hash: `sha256:${'a'.repeat(64)}`, subject: 'agent-7', models: ['gpt-4o*', 'claude-*'], scopes: [], tools: [],
  created_at: '2026-01-01T00:00:00.000Z', expires_at: null, disabled: false,
};

function loadError(file: string): unknown {
  try {
    readKeyFile(file);
  } catch (err) {
    return err;
  }
  throw new Error(`${file} loaded`);
}

describe('key file', () => {
  test('what writeKeyFile writes is YAML, and reads back the same records', () => {
    const file = path.join(tempDir(), 'keys.yaml');
    const keys = [base, { ...base, id: 'bcdefghijklm', subject: 'true', description: 'a: b # c\nnext "line" é', disabled: true, revoked_at: '2026-02-01T00:00:00Z' }];
    writeKeyFile(file, keys);
    const text = readFileSync(file, 'utf8');
    expect(parseYaml(text)).toEqual({ keys });
    expect(parseKeyFileText(text)).toEqual({ keys });
    expect(readKeyFile(file)).toEqual(keys);
    writeKeyFile(file, []);
    expect(readKeyFile(file)).toEqual([]);
  });

  test.each([
    ['block style written by hand', 'keys:\n  - id: abcdefghijkl\n    models: [a]\n'],
    ['dash at column 0', 'keys:\n- id: abcdefghijkl\n  models: [a]\n'],
    ['flow style', 'keys: [{id: abcdefghijkl, models: [a, b]}]\n'],
    ['a JSON line mixed with block items', 'keys:\n  - {"id": "abcdefghijkl"}\n  - id: bcdefghijklm\n'],
    ['a line that looks like JSON but is YAML flow', 'keys:\n  - {id: abcdefghijkl}\n'],
    ['CRLF line ends', 'keys:\r\n  - {"id": "abcdefghijkl"}\r\n'],
    ['empty file', ''],
  ])('%s: same value as the YAML library', (_name, text) => {
    expect(parseKeyFileText(text)).toEqual(parseYaml(text));
  });

  test('broken text is the YAML library\'s error; a file that does not load is ERR_KEY_FILE_INVALID naming the problem', () => {
    expect(() => parseKeyFileText('keys:\n  - id: [unclosed\n')).toThrow();
    const file = path.join(tempDir(), 'bad.yaml');
    writeKeyFile(file, [{ ...base, hash: 'md5:x' }]);
    expect(loadError(file)).toMatchObject({ code: 'ERR_KEY_FILE_INVALID', message: expect.stringMatching(/keys\.0\.hash/) });
    writeKeyFile(file, [base, base]);
    expect(loadError(file)).toMatchObject({ code: 'ERR_KEY_FILE_INVALID', message: expect.stringMatching(/duplicate key id abcdefghijkl/) });
    writeFileSync(file, 'keys: [{{{\n');
    expect(loadError(file)).toMatchObject({ code: 'ERR_KEY_FILE_INVALID', message: expect.stringMatching(/^key file .*bad\.yaml: /) });
  });

  test('tools and limits: read back as written; defaults for records without them; bad values are ERR_KEY_FILE_INVALID naming the field', () => {
    const file = path.join(tempDir(), 'grants.yaml');
    const granted = { ...base, tools: ['search_*'], limits: { rpm: 60, tpm: 100000, token_budget: { tokens: 1000000, period: '1mo' as const } } };
    writeKeyFile(file, [granted]);
    expect(readKeyFile(file)).toEqual([granted]);
    const { tools: _tools, ...withoutTools } = base;
    writeKeyFile(file, [withoutTools]);
    expect(readKeyFile(file)).toEqual([{ ...base, tools: [] }]);
    for (const [limits, field] of [
      [{ rpm: 0 }, 'keys.0.limits.rpm'],
      [{ tpm: 1.5 }, 'keys.0.limits.tpm'],
      [{ rpm: '60' }, 'keys.0.limits.rpm'],
      [{ token_budget: { tokens: 10, period: '2d' } }, 'keys.0.limits.token_budget.period'],
      [{ token_budget: { tokens: 10 } }, 'keys.0.limits.token_budget.period'],
      [{ rps: 5 }, 'keys.0.limits'],
    ] as const) {
      writeFileSync(file, `keys:\n  - ${JSON.stringify({ ...base, limits })}\n`);
      expect(loadError(file)).toMatchObject({ code: 'ERR_KEY_FILE_INVALID', message: expect.stringContaining(`${field}:`) });
    }
    writeFileSync(file, `keys:\n  - ${JSON.stringify({ ...base, tools: 'search' })}\n`);
    expect(loadError(file)).toMatchObject({ code: 'ERR_KEY_FILE_INVALID', message: expect.stringContaining('keys.0.tools:') });
  });
});

describe('key file read a chunk at a time', () => {
  test('a file larger than a chunk, with multi-byte text across chunk ends, reads back the same records', () => {
    const file = path.join(tempDir(), 'big.yaml');
    const keys = Array.from({ length: 6000 }, (_, i): KeyRecord => ({
      ...base, id: i.toString(36).padStart(12, '0'), subject: `é€😀-${i}`, description: 'ü'.repeat(i % 97),
    }));
    writeKeyFile(file, keys);
    expect(readFileSync(file).length).toBeGreaterThan(1 << 20);
    expect(readKeyFile(file)).toEqual(keys);
  });

  test('text that starts in the line layout and turns into YAML is read as YAML, from the start', () => {
    const file = path.join(tempDir(), 'mixed.yaml');
    writeFileSync(file, `keys:\n  - ${JSON.stringify(base)}\n  - id: bcdefghijklm\n    hash: ${base.hash}\n    subject: b\n    created_at: "2026-01-01"\n`);
    expect(readKeyFile(file).map((k) => k.id)).toEqual(['abcdefghijkl', 'bcdefghijklm']);
  });

  test('a missing file is empty; a file that is not a key document names the problem', () => {
    const dir = tempDir();
    expect(readKeyFile(path.join(dir, 'absent.yaml'))).toEqual([]);
    writeFileSync(path.join(dir, 'other.yaml'), 'users: []\n');
    expect(loadError(path.join(dir, 'other.yaml'))).toMatchObject({ code: 'ERR_KEY_FILE_INVALID' });
  });
});
