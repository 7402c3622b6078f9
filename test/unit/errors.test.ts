import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { errors as joseErrors } from 'jose';
import { ERRORS } from '../../src/core/errors.js';
import { packageRoot } from '../../src/paths.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sources(file) : file.endsWith('.ts') ? [file] : [];
  });
}

/** The error catalogue stays in sync with the code: every code used exists, every code defined is used, reasons are unique. */
describe('error catalogue', () => {
  const text = sources(path.join(packageRoot(), 'src')).filter((f) => !f.endsWith(path.join('core', 'errors.ts'))).map((f) => readFileSync(f, 'utf8')).join('\n');
  const used = new Set(text.match(/ERR_[A-Z0-9_]+/g));

  test('every code used in src is defined (jose\'s and node:http\'s own codes aside, which are mapped to ours)', () => {
    const foreign = new Set([...Object.values(joseErrors).map((e) => (e as unknown as { code: string }).code), 'ERR_HTTP_REQUEST_TIMEOUT']);
    expect([...used].filter((code) => !(code in ERRORS) && !foreign.has(code))).toEqual([]);
  });

  test('every defined code is used', () => {
    expect(Object.keys(ERRORS).filter((code) => !used.has(code))).toEqual([]);
  });

  test('reason codes are unique, short and lower-case; statuses are 4xx/5xx', () => {
    const reasons = Object.values(ERRORS).map((e) => e.reason);
    expect(new Set(reasons).size).toBe(reasons.length);
    for (const { reason, status } of Object.values(ERRORS)) {
      expect(reason).toMatch(/^[a-z0-9_]{1,64}$/);
      expect(status).toBeGreaterThanOrEqual(400);
    }
  });
});
