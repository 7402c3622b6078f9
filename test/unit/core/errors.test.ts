import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { errors as joseErrors } from 'jose';
import ts from 'typescript';
import { ERRORS } from '../../../src/core/errors.js';
import { packageRoot } from '../../../src/paths.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sources(file) : file.endsWith('.ts') ? [file] : [];
  });
}

/** The file as TypeScript re-prints it without comments, so a code mentioned only in a comment is not a use. */
function codeWithoutComments(file: string, text: string): string {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return ts.createPrinter({ removeComments: true }).printFile(source);
}

/** Rows of docs/errors.md's tables: | `ERR_X` | status | `reason` | when | what to do |. */
function documentedCodes(markdown: string): Array<{ code: string; status: number; reason: string }> {
  return [...markdown.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \| (\d{3}) \| `([a-z0-9_]+)` \|[^|\n]+\|[^|\n]+\|$/gm)]
    .map(([, code, status, reason]) => ({ code, status: Number(status), reason }));
}

/** The error catalogue stays in sync with the code and with docs/errors.md. */
describe('error catalogue', () => {
  const files = sources(path.join(packageRoot(), 'src')).filter((f) => !f.endsWith(path.join('core', 'errors.ts')));
  const text = files.map((f) => codeWithoutComments(f, readFileSync(f, 'utf8'))).join('\n');
  const used = new Set(text.match(/ERR_[A-Z0-9_]+/g));

  test('every code used in src is defined (jose\'s and node:http\'s own codes aside, which are mapped to ours)', () => {
    const foreign = new Set([...Object.values(joseErrors).map((e) => (e as unknown as { code: string }).code), 'ERR_HTTP_REQUEST_TIMEOUT']);
    expect([...used].filter((code) => !(code in ERRORS) && !foreign.has(code))).toEqual([]);
  });

  test('every defined code is used in code, not only in a comment', () => {
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

  test('docs/errors.md documents every code once, with its status and reason, and no code that does not exist', () => {
    const documented = documentedCodes(readFileSync(path.join(packageRoot(), 'docs', 'errors.md'), 'utf8'));
    const catalogue = Object.entries(ERRORS).map(([code, { status, reason }]) => ({ code, status, reason }));
    const byCode = (a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code);
    expect([...documented].sort(byCode)).toEqual([...catalogue].sort(byCode));
  });
});

describe('the sync checks themselves', () => {
  test('a code in a line or block comment is not a use; one in a string or a key is', () => {
    const printed = codeWithoutComments('x.ts', [
      '// ERR_IN_LINE_COMMENT',
      '/** ERR_IN_DOC_COMMENT */',
      "const a = new TollgateError('ERR_IN_STRING', 'see http://example.com'); /* ERR_IN_BLOCK */",
      'const b = { ERR_AS_KEY: 1 };',
    ].join('\n'));
    expect(printed.match(/ERR_[A-Z_]+/g)).toEqual(['ERR_IN_STRING', 'ERR_AS_KEY']);
  });

  test('a table row counts only when it carries a code, a status, a reason and both texts', () => {
    const rows = documentedCodes([
      '| `ERR_A` | 401 | `a_reason` | when | what |',
      '| `ERR_B` | 401 | `b_reason` | when |',
      'Prose mentioning `ERR_C` is not a row.',
    ].join('\n'));
    expect(rows).toEqual([{ code: 'ERR_A', status: 401, reason: 'a_reason' }]);
  });
});
