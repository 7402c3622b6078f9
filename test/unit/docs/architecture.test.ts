import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { HTTP_ADAPTERS } from '../../../src/adapters/registry.js';
import { packageRoot } from '../../../src/paths.js';

/** docs/architecture.md is the one description of the layout: it names every src folder, adapter and test kind. */
describe('docs/architecture.md', () => {
  const root = packageRoot();
  const doc = readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8');
  const folders = (dir: string) => readdirSync(path.join(root, dir)).filter((name) => statSync(path.join(root, dir, name)).isDirectory());

  test.each(folders('src'))('names src/%s/', (folder) => {
    expect(doc).toContain(`\`src/${folder}/\``);
  });

  test.each(folders('src/adapters'))('names the adapter folder %s/', (folder) => {
    expect(doc).toContain(`\`${folder}/\``);
  });

  test.each(HTTP_ADAPTERS.map((a) => a.gateway))('names the registered adapter %s', (gateway) => {
    expect(doc.replace(/-/g, '_')).toContain(gateway);
  });

  test.each(folders('test'))('names the test folder test/%s/', (folder) => {
    expect(doc).toContain(`\`test/${folder}/\``);
  });

  test('every test file is run by a jest project', () => {
    const kinds = new Set(['unit', 'integration', 'contract', 'e2e', 'bench']);
    const tests = (dir: string): string[] => readdirSync(path.join(root, dir)).flatMap((name) => {
      const rel = path.join(dir, name);
      return statSync(path.join(root, rel)).isDirectory() ? tests(rel) : name.endsWith('.test.ts') ? [rel] : [];
    });
    expect(tests('test').filter((file) => !kinds.has(file.split(path.sep)[1]))).toEqual([]);
  });
});
