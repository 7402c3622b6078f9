import { readFileSync } from 'node:fs';
import { replayDecisions } from '../../../src/policy/replay.js';
import { WasmPolicyEngine } from '../../../src/policy/wasm-engine.js';
import { buildBundle } from '../../helpers/opa.js';

/** The replay engine on hand-written records: what counts as the recorded outcome, and what is skipped. */
describe('replayDecisions', () => {
  let denyAll: WasmPolicyEngine;
  beforeAll(async () => {
    const bundle = readFileSync(buildBundle({ 'p.rego': 'package t\n\ndecision := {"allow": false, "reason": "closed"}\n' }, ['t/decision'], 'closed'));
    denyAll = await WasmPolicyEngine.fromBundle(bundle, { entrypoint: 't/decision', maxMemoryPages: 64, now: Date.now });
  }, 60_000);

  const lines = async function* (records: object[]) {
    yield '{"message":"tollgate listening"}';
    for (const r of records) yield JSON.stringify({ log_type: 'decision', ...r });
    yield 'not json "log_type":"decision"';
  };

  test('a dry-run allow counts as the deny it stood in for; records without input are skipped; names are only keys', async () => {
    const report = await replayDecisions(lines([
      { decision_id: 'a', subject: '__proto__', model: 'm', tools: ['t1', 't2'], result: 'allow', reason: 'allowed', input: {} },
      { decision_id: 'b', subject: 'dry', result: 'allow', reason: 'dry_run', dry_run: { result: 'deny', reason: 'writes_denied' }, input: {} },
      { decision_id: 'c', subject: 'x', result: 'deny', reason: 'credential_invalid' },
    ]), denyAll);
    expect(report).toMatchObject({ records: 3, replayed: 2, skipped: 1, revision: 'closed', baseline: 'recorded', changes: { allow_to_deny: 1, deny_to_allow: 0 } });
    expect(report.by.subject.__proto__).toEqual({ allow_to_deny: 1, deny_to_allow: 0 });
    expect(report.by.tool).toEqual(Object.assign(Object.create(null), { t1: { allow_to_deny: 1, deny_to_allow: 0 }, t2: { allow_to_deny: 1, deny_to_allow: 0 } }));
    expect(report.by.reason.closed).toEqual({ allow_to_deny: 1, deny_to_allow: 0 });
    expect(report.examples.allow_to_deny).toEqual([{ decision_id: 'a', subject: '__proto__', model: 'm', tools: ['t1', 't2'], from: { result: 'allow', reason: 'allowed' }, to: { result: 'deny', reason: 'closed' } }]);
    expect(({} as Record<string, unknown>).allow_to_deny).toBeUndefined();
  });
});
