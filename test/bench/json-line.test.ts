import { format } from 'winston';
import { jsonLineFormat } from '../../src/observability/json-line.js';
import { redactFormat } from '../../src/observability/redact.js';

const MESSAGE = Symbol.for('message');

/** The format jsonLineFormat replaced; both must write the same bytes for every record. */
const reference = format.combine(format.timestamp(), redactFormat(), format.json());

function line(fmt: ReturnType<typeof format.combine>, record: Record<string, unknown>): string {
  const info = fmt.transform({ level: 'info', message: 'm', timestamp: '2026-01-01T00:00:00.000Z', ...structuredClone(record) }, {}) as Record<string | symbol, unknown>;
  return info[MESSAGE] as string;
}

const cyclic: Record<string, unknown> = { name: 'loop' };
cyclic.self = cyclic;

const cases: Array<{ name: string; record: Record<string, unknown> }> = [
  { name: 'decision record', record: { log_type: 'decision', decision_id: 'id', status: 200, stream: false, tools: ['a', 'b'], issuer: null, duration_ms: 0.123 } },
  { name: 'credentials by key and by shape', record: { authorization: 'Bearer abc.def', note: 'key tg_abcdefghijkl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA here', jwt: 'eyJ.x.y', nested: { headers: { 'x-api-key': 'k', cookie: '' } } } },
  { name: 'odd values', record: { big: 12n, nan: NaN, inf: -Infinity, undef: undefined, list: [undefined, 1, null], date: new Date(0), unicode: 'é \u2028 "q" \\ \ud800' } },
  { name: 'errors and nesting', record: { error: new Error('Bearer secret'), deep: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1 } } } } } } } } } } } },
  { name: 'key order', record: { z: 1, a: 2, M: 3, _: 4, '10': 5, '9': 6 } },
];

describe('jsonLineFormat', () => {
  test.each(cases)('$name: same line as timestamp + redact + json', ({ record }) => {
    expect(line(jsonLineFormat(), record)).toBe(line(reference, record));
  });

  test('cyclic objects: same line', () => {
    const a = jsonLineFormat().transform({ level: 'info', message: 'm', timestamp: 't', loop: cyclic }, {}) as Record<string | symbol, unknown>;
    const b = reference.transform({ level: 'info', message: 'm', timestamp: 't', loop: cyclic }, {}) as Record<string | symbol, unknown>;
    expect(a[MESSAGE]).toBe(b[MESSAGE]);
  });
});
