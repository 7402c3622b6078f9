import { readFileSync } from 'node:fs';
import { verdictFromResult } from '../../../src/core/decision.js';
import { PolicyStore } from '../../../src/policy/policy-store.js';
import { ShadowPolicy } from '../../../src/policy/shadow.js';
import { buildBundle } from '../../helpers/opa.js';

/** The candidate's verdict is compared, never returned as the answer; sampling and failures as documented. */
describe('ShadowPolicy', () => {
  const REGOS = {
    nope: 'package t\n\ndecision := {"allow": false, "reason": "nope"}\n',
    invalid: 'package t\n\ndecision := 7\n',
    deny: 'package t\n\ndecision := {"allow": false}\n',
  };
  // Real OPA builds take seconds on a busy machine: made once, before the tests' clock.
  const bundles: Record<string, Buffer> = {};
  beforeAll(() => {
    for (const [name, rego] of Object.entries(REGOS)) bundles[name] = readFileSync(buildBundle({ 'p.rego': rego }, ['t/decision'], 'cand'));
  }, 120_000);
  const store = async (name: keyof typeof REGOS) => {
    const s = new PolicyStore({ bundlePath: '', entrypoint: 't/decision', maxMemoryPages: 64, pollIntervalMs: 1000, now: Date.now });
    await s.activate(bundles[name]);
    return s;
  };
  const allow = verdictFromResult(true);
  const deny = verdictFromResult(false);

  test('reports a disagreement with the candidate\'s result, reason and revision; agreement is undefined', async () => {
    const shadow = new ShadowPolicy(await store('nope'), 1);
    expect(shadow.compare({}, allow)).toEqual({ result: 'deny', reason: 'nope', revision: 'cand' });
    expect(shadow.compare({}, deny)).toBeUndefined();
  });

  test('a candidate that fails counts as the deny it would be', async () => {
    const shadow = new ShadowPolicy(await store('invalid'), 1);
    expect(shadow.compare({}, allow)).toEqual({ result: 'deny', reason: 'policy_result_invalid', revision: 'cand' });
  });

  test('evaluates only the sampled fraction, and nothing before a candidate is loaded', async () => {
    const draws = [0.1, 0.9];
    const shadow = new ShadowPolicy(await store('deny'), 0.5, () => draws.shift()!);
    expect(shadow.compare({}, allow)).toMatchObject({ result: 'deny' });
    expect(shadow.compare({}, allow)).toBeUndefined();
    const empty = new PolicyStore({ bundlePath: '', entrypoint: 't/decision', maxMemoryPages: 64, pollIntervalMs: 1000, now: Date.now });
    expect(new ShadowPolicy(empty, 1).compare({}, allow)).toBeUndefined();
  });
});
