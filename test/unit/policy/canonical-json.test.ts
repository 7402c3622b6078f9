import { canonicalJson, canonicalYaml } from '../../../src/policy/canonical-json.js';

/** The form OPA hashes structured bundle files in (bundle/hash.go): checked against what opa build signed in bundle-signature.test.ts. */
describe('canonical JSON as OPA hashes it', () => {
  test.each([
    ['sorted keys, no whitespace', '{ "b": 1, "a": [true, null, {"d": 2, "c": 3}] }', '{"a":[true,null,{"c":3,"d":2}],"b":1}'],
    ['numbers exactly as written', '[1.0, 1e2, -0.50, 10]', '[1.0,1e2,-0.50,10]'],
    ['Go string escaping: line separators escaped, HTML characters not', '"\\u2028<&>\\u0041\\/"', '"\\u2028<&>A/"'],
    ['the last of duplicate keys wins', '{"a": 1, "a": 2}', '{"a":2}'],
    ['keys in UTF-8 byte order', '{"\\uff5e": 1, "\\ud83d\\ude00": 2}', '{"～":1,"😀":2}'],
  ])('%s', (_name, input, want) => {
    expect(canonicalJson(input)).toBe(want);
  });

  test.each(['{"a": }', '[1,]', '{"a": 1} x', '01', '"\u0001"', '['.repeat(1001) + ']'.repeat(1001)])('refuses %s', (input) => {
    expect(() => canonicalJson(input)).toThrow();
  });

  test('YAML through JSON', () => {
    expect(canonicalYaml('b: 1\na: [x, 2.5]\n')).toBe('{"a":["x",2.5],"b":1}');
  });
});
