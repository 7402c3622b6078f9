import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { WasmPolicyEngine } from '../../../src/policy/wasm-engine.js';
import { defaultBundlePath } from '../../../src/paths.js';
import { verdictFromResultSet } from '../../../src/core/decision.js';
import { buildBundle } from '../../helpers/opa.js';

const options = { entrypoint: 'tollgate/authz/decision', maxMemoryPages: 1024, now: () => Date.UTC(2026, 0, 1) };

/** The same cases as policies/authz_test.rego, through the real OPA-built Wasm and the Node SDK. */
describe('default policy through the embedded Wasm bundle', () => {
  let engine: WasmPolicyEngine;
  beforeAll(async () => {
    engine = await WasmPolicyEngine.fromBundle(readFileSync(defaultBundlePath()), options);
  });

  const caller = { authenticated: true, method: 'api_key', subject: 'svc-a', models: ['gpt-4o*', 'claude-3-5-*'], scopes: [], groups: [] };
  const anonymous = { authenticated: false, method: 'none', subject: null, models: [], scopes: [], groups: [] };
  // The llm facts core/llm.ts gives policy (docs/policy-input.md), shaped as in authz_test.rego.
  const chat = (model: string | null) => ({
    endpoint_known: true, api: 'openai', operation: 'chat.completions', model_call: true, model, models: model === null ? [] : [model], model_unknown: model === null,
  });
  const list = { endpoint_known: true, api: 'openai', operation: 'models.list', model_call: false, model: null, models: [], model_unknown: false };
  const unknownEndpoint = { endpoint_known: false, api: null, operation: null, model_call: false, model: null, models: [], model_unknown: false };

  test.each([
    { name: 'anonymous', identity: anonymous, llm: chat('gpt-4o'), delegation: null, want: { allow: false, status: 401, reason: 'unauthenticated' } },
    { name: 'granted model', identity: caller, llm: chat('gpt-4o-mini'), delegation: null, want: { allow: true, status: 200 } },
    { name: 'glob across dots and slashes', identity: caller, llm: chat('claude-3-5-sonnet-2024.10/22'), delegation: null, want: { allow: true } },
    { name: 'brace glob (glob.match in Wasm)', identity: { ...caller, models: ['gpt-{4o,4.1}*'] }, llm: chat('gpt-4.1-nano'), delegation: null, want: { allow: true } },
    { name: 'exact grant is not a prefix', identity: { ...caller, models: ['o3'] }, llm: chat('o3-mini'), delegation: null, want: { allow: false, reason: 'model_not_allowed' } },
    { name: 'other model', identity: caller, llm: chat('o1-preview'), delegation: null, want: { allow: false, status: 403, reason: 'model_not_allowed' } },
    { name: 'no model on a model call', identity: caller, llm: chat(null), delegation: null, want: { allow: false, reason: 'model_unknown' } },
    { name: 'non-model endpoint', identity: { ...caller, models: [] }, llm: list, delegation: null, want: { allow: true } },
    { name: 'endpoint outside the catalogue', identity: { ...caller, models: ['*'] }, llm: unknownEndpoint, delegation: null, want: { allow: false, reason: 'endpoint_unknown' } },
    { name: 'scope grants model', identity: { ...caller, models: [], scopes: ['model:gpt-4.1*'] }, llm: chat('gpt-4.1-mini'), delegation: null, want: { allow: true } },
    {
      name: 'delegated user not allowed', identity: caller, llm: chat('gpt-4o'),
      delegation: { user: { ...caller, subject: 'alice', models: ['gpt-4o-mini'] }, chain: ['svc-a'] }, want: { allow: false, reason: 'model_not_allowed' },
    },
  ])('$name', ({ identity, llm, delegation, want }) => {
    expect(verdictFromResultSet(engine.evaluate({ identity, llm, delegation }))).toMatchObject(want);
  });

  test('evaluateAgain (the shadow) gives what evaluate gives, on the bytes just evaluated only for that same input', () => {
    const allowed = { identity: caller, llm: chat('gpt-4o-mini'), delegation: null };
    const denied = { identity: caller, llm: chat('o1-preview'), delegation: null };
    expect(verdictFromResultSet(engine.evaluate(allowed))).toMatchObject({ allow: true });
    expect(verdictFromResultSet(engine.evaluateAgain(allowed))).toMatchObject({ allow: true });
    // Another object, even right after an evaluation of the first: its own verdict.
    expect(verdictFromResultSet(engine.evaluateAgain(denied))).toMatchObject({ allow: false, reason: 'model_not_allowed' });
    expect(verdictFromResultSet(engine.evaluate({ ...allowed, llm: chat('\u00e9-model') }))).toMatchObject({ allow: false });
  });

  test('reports its revision, entrypoints and needs no host builtins', () => {
    expect(engine.revision).toMatch(/^[0-9a-f]{12}$/);
    expect(engine.entrypoints).toEqual(['tollgate/authzen/decision', 'tollgate/authz/decision']);
    expect(engine.requiredBuiltins).toEqual([]);
  });

  test('reads its data by path (AuthZEN search candidates), own properties only', () => {
    expect(engine.dataAt(['tollgate', 'subjects'])).toEqual({});
    expect(engine.dataAt(['tollgate', 'authzen', 'subjects'])).toBeUndefined();
    expect(engine.dataAt(['tollgate', '__proto__'])).toBeUndefined();
    expect(engine.dataAt(['constructor'])).toBeUndefined();
  });
});

/** A load failure: its code, and a message naming the problem. */
const loadError = (code: string, detail: RegExp | string) => ({ code, message: expect.stringMatching(detail) });

describe('bundle loading fails closed with a code and a clear message', () => {
  const load = (bytes: Uint8Array, entrypoint = 'x/allow') => WasmPolicyEngine.fromBundle(bytes, { ...options, entrypoint });

  test('not gzip', async () => {
    await expect(load(Buffer.from('hello'))).rejects.toMatchObject(loadError('ERR_BUNDLE_INVALID', /not a readable gzip/));
  });

  test('gzip of garbage has no policy.wasm', async () => {
    await expect(load(gzipSync(Buffer.alloc(2048, 0)))).rejects.toMatchObject(loadError('ERR_BUNDLE_INVALID', /no \/policy.wasm/));
  });

  test('missing entrypoint names what the bundle has', async () => {
    const bundle = buildBundle({ 'p.rego': 'package x\nallow := true\n' }, ['x/allow']);
    await expect(load(readFileSync(bundle), 'x/deny')).rejects.toMatchObject(loadError('ERR_POLICY_ENTRYPOINT_MISSING', /no entrypoint "x\/deny".*x\/allow/));
  });

  test('a builtin neither the SDK nor Tollgate implements refuses the bundle', async () => {
    const bundle = buildBundle({ 'p.rego': 'package x\nallow if time.parse_rfc3339_ns(input.t) > 0\n' }, ['x/allow']);
    await expect(load(readFileSync(bundle))).rejects.toMatchObject(loadError('ERR_POLICY_INCOMPATIBLE', /builtins.*time\.parse_rfc3339_ns/));
  });

  test('host builtins Tollgate provides evaluate', async () => {
    const rego = [
      'package x',
      'now := time.now_ns()',
      'digest := crypto.sha256("abc")',
      'prefixed := strings.any_prefix_match(["gpt-4o-mini"], ["gpt-4", "o1"])',
      'suffixed := strings.any_suffix_match("model-mini", ["-max"])',
      'formatted := sprintf("%s-%d", ["a", 1])',
    ].join('\n');
    const engine = await load(readFileSync(buildBundle({ 'p.rego': rego }, ['x/now', 'x/digest', 'x/prefixed', 'x/suffixed', 'x/formatted'])), 'x/now');
    expect(engine.evaluate({})).toEqual([{ result: Date.UTC(2026, 0, 1) * 1e6 }]);
    expect(engine.evaluateEntrypoint('x/digest', {})).toEqual([{ result: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' }]);
    expect(engine.evaluateEntrypoint('x/prefixed', {})).toEqual([{ result: true }]);
    expect(engine.evaluateEntrypoint('x/suffixed', {})).toEqual([{ result: false }]);
    expect(engine.evaluateEntrypoint('x/formatted', {})).toEqual([{ result: 'a-1' }]);
    expect(engine.evaluateEntrypoint('x/missing', {})).toBeUndefined();
  });
});

describe('entrypoint names are looked up, never walked up a prototype', () => {
  let bytes: Buffer;
  let engine: WasmPolicyEngine;
  beforeAll(async () => {
    bytes = readFileSync(buildBundle({ 'p.rego': 'package x\nallow := true\n' }, ['x/allow']));
    engine = await WasmPolicyEngine.fromBundle(bytes, { ...options, entrypoint: 'x/allow' });
  });

  test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf', 'x/allow/constructor'])('%s is no entrypoint', (name) => {
    expect(engine.evaluateEntrypoint(name, {})).toBeUndefined();
  });

  test.each(['constructor', '__proto__', 'toString'])('%s as the configured decision entrypoint refuses the bundle', async (name) => {
    await expect(WasmPolicyEngine.fromBundle(bytes, { ...options, entrypoint: name })).rejects.toMatchObject(loadError('ERR_POLICY_ENTRYPOINT_MISSING', `no entrypoint "${name}"`));
  });
});

describe('inputs go into Wasm memory as UTF-8 JSON, growing it up to its maximum', () => {
  let bundle: Buffer;
  const echoing = (maxMemoryPages: number) => WasmPolicyEngine.fromBundle(bundle, { ...options, entrypoint: 'x/echo', maxMemoryPages });
  beforeAll(() => {
    bundle = readFileSync(buildBundle({ 'p.rego': 'package x\necho := input\n' }, ['x/echo']));
  });

  test('multi-byte characters come back as sent', async () => {
    const engine = await echoing(20);
    const input = { text: 'caf\u00e9 \u4e2d\u6587 \ud83d\ude80 "quoted" \\ \n', nested: { list: [1, 2.5, null, true] } };
    expect(engine.evaluate(input)).toEqual([{ result: input }]);
  });

  test('an input larger than the memory so far grows it; the next small one still evaluates', async () => {
    const engine = await echoing(400);
    const large = { blob: '\u00e9'.repeat(600_000) }; // 1.2 MB of UTF-8: past the 5 initial pages
    expect(engine.evaluate(large)).toEqual([{ result: large }]);
    expect(engine.evaluate({ small: true })).toEqual([{ result: { small: true } }]);
  });

  test('an input past the memory maximum throws (the pipeline answers policy_error), and evaluation goes on', async () => {
    const engine = await echoing(20);
    expect(() => engine.evaluate({ blob: 'x'.repeat(2_000_000) })).toThrow();
    expect(engine.evaluate({ after: 1 })).toEqual([{ result: { after: 1 } }]);
  });
});
