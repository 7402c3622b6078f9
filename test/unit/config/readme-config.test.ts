import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { packageRoot } from '../../../src/paths.js';
import { tempDir } from '../../helpers/tollgate.js';

/** The README's full configuration example must stay a config Tollgate accepts. */
test('the README configuration example loads', () => {
  const readme = readFileSync(path.join(packageRoot(), 'README.md'), 'utf8');
  const example = /```yaml\n(server:[\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  const file = path.join(tempDir(), 'readme.yaml');
  writeFileSync(file, example!);
  const config = loadConfig({}, file);
  expect(config.identity.jwt.issuers[0].issuer).toBe('https://login.example.com/realms/staff');
  expect(Object.keys(config).sort()).toEqual(Object.keys(loadConfig({})).sort());
});
