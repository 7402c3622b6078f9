import { buildBundle } from '../helpers/opa.js';
import path from 'node:path';
import { postJson, startTollgate, tempDir, writeKeys, type RunningTollgate } from '../helpers/tollgate.js';

const ENTRY = 't/decision';
/** The enforced policy: reads allowed, writes denied. */
const ENFORCED = 'package t\n\ndecision := {"allow": input.request.method == "GET", "reason": "writes_denied"}\n';
/** The candidate: also denies listing models. */
const CANDIDATE = `package t

default decision := {"allow": false, "reason": "writes_denied"}
decision := {"allow": false, "reason": "listing_denied"} if input.request.path == "/v1/models"
decision := {"allow": true} if { input.request.method == "GET"; input.request.path != "/v1/models" }
`;

const ask = async (tg: RunningTollgate, method: string, path: string, headers: Record<string, string> = {}) => {
  const res = await postJson(`${tg.url}/v1/authorize`, { method, path, headers });
  return { answer: res.json, record: tg.decisions().find((d) => d.decision_id === res.json.decision_id)! };
};
const metric = async (tg: RunningTollgate, pattern: RegExp) => Number(pattern.exec(await (await fetch(`${tg.adminUrl}/metrics`)).text())?.[1] ?? 0);

/** policy.shadow and policy.mode dry_run through a real Tollgate and real OPA-built bundles. */
describe('shadow evaluation', () => {
  let tg: RunningTollgate;
  beforeAll(async () => {
    tg = await startTollgate({
      TOLLGATE_POLICY_BUNDLE: buildBundle({ 'p.rego': ENFORCED }, [ENTRY], 'enforced-1'),
      TOLLGATE_POLICY__SHADOW__BUNDLE: buildBundle({ 'p.rego': CANDIDATE }, [ENTRY], 'candidate-1'),
      TOLLGATE_POLICY__ENTRYPOINT: ENTRY,
    });
  });
  afterAll(() => tg.stop());

  test('a disagreement is recorded and counted; the enforced answer stands', async () => {
    const { answer, record } = await ask(tg, 'GET', '/v1/models');
    expect(answer).toMatchObject({ allow: true, status: 200 });
    expect(record).toMatchObject({ result: 'allow', policy_revision: 'enforced-1', shadow: { result: 'deny', reason: 'listing_denied', revision: 'candidate-1' } });
    expect(await metric(tg, /tollgate_shadow_divergence_total\{enforced="allow",shadow="deny"\} (\d+)/)).toBe(1);
  });

  test('agreement leaves no trace in the record', async () => {
    expect((await ask(tg, 'GET', '/v1/files')).record).not.toHaveProperty('shadow');
    const denied = await ask(tg, 'POST', '/v1/chat/completions');
    expect(denied.answer).toMatchObject({ allow: false, reason: 'writes_denied' });
    expect(denied.record).not.toHaveProperty('shadow');
    expect(await metric(tg, /tollgate_shadow_divergence_total\{enforced="allow",shadow="deny"\} (\d+)/)).toBe(1);
  });
});

describe('dry run', () => {
  let tg: RunningTollgate;
  let secret: string;
  beforeAll(async () => {
    const keysFile = path.join(tempDir(), 'keys.yaml');
    [{ secret }] = writeKeys(keysFile, [{ subject: 'app-1' }]);
    tg = await startTollgate({
      TOLLGATE_POLICY_BUNDLE: buildBundle({ 'p.rego': ENFORCED }, [ENTRY], 'enforced-1'),
      TOLLGATE_POLICY__ENTRYPOINT: ENTRY,
      TOLLGATE_POLICY__MODE: 'dry_run',
      TOLLGATE_LOG__INCLUDE_INPUT: 'true',
      TOLLGATE_KEYS_FILE: keysFile,
    });
  });
  afterAll(() => tg.stop());

  test('what policy denies is allowed, recorded with the deny and counted', async () => {
    const { answer, record } = await ask(tg, 'POST', '/v1/chat/completions', { 'x-api-key': secret });
    expect(answer).toMatchObject({ allow: true, status: 200, reason: 'dry_run' });
    expect(answer.headers).toMatchObject({ 'x-tollgate-subject': 'app-1' });
    expect(record).toMatchObject({ result: 'allow', reason: 'dry_run', subject: 'app-1', dry_run: { result: 'deny', status: 403, reason: 'writes_denied', error_code: null } });
    expect(await metric(tg, /tollgate_dry_run_denied_total (\d+)/)).toBe(1);
  });

  test('the record carries the policy input without credentials', async () => {
    const { record } = await ask(tg, 'GET', '/v1/models', { 'x-api-key': secret, 'x-trace': 't2' });
    expect(record).not.toHaveProperty('dry_run');
    expect(record.input).toMatchObject({ version: 'tollgate.input/v1', identity: { subject: 'app-1' }, request: { method: 'GET', path: '/v1/models', headers: { 'x-trace': 't2' } } });
    expect(tg.rawLogs()).not.toContain(secret);
  });

  test('what is not the policy\'s to waive is still denied: a bad credential, a request that reads two ways', async () => {
    expect((await ask(tg, 'GET', '/v1/models', { 'x-api-key': 'sk-unknown' })).answer).toMatchObject({ allow: false, status: 401, reason: 'credential_invalid' });
    const { answer, record } = await ask(tg, 'POST', '/v1/chat%2Fcompletions');
    expect(answer).toMatchObject({ allow: false, status: 400, reason: 'path_ambiguous' });
    expect(record).not.toHaveProperty('dry_run');
  });
});
