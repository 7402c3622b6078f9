import { format } from 'winston';
import { jsonLineFormat } from '../../../src/observability/json-line.js';
import { redactFormat } from '../../../src/observability/redact.js';

const MESSAGE = Symbol.for('message');

/** The composed winston format jsonLineFormat replaces; both must say the same for every record. */
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
  { name: 'odd values', record: { nan: NaN, inf: -Infinity, undef: undefined, list: [undefined, 1, null], date: new Date(0), unicode: 'é \u2028 "q" \\' } },
  { name: 'errors and nesting', record: { error: new Error('Bearer secret'), deep: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1 } } } } } } } } } } } },
  { name: 'a bigint (JSON.stringify refuses it)', record: { big: 12n, note: 'Bearer x' } },
];

describe('jsonLineFormat', () => {
  test.each(cases)('$name: same content as timestamp + redact + json', ({ record }) => {
    expect(JSON.parse(line(jsonLineFormat(), record))).toEqual(JSON.parse(line(reference, record)));
  });

  test('a cyclic record still gets a line, redacted', () => {
    const info = jsonLineFormat().transform({ level: 'info', message: 'm', loop: cyclic, authorization: 'Bearer x' }, {}) as Record<string | symbol, unknown>;
    const parsed = JSON.parse(info[MESSAGE] as string);
    expect(parsed).toMatchObject({ message: 'm', authorization: '[REDACTED]', timestamp: expect.any(String) });
  });
});
