import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildBundle } from '../helpers/opa.js';
import { postJson, startTollgate, tempDir } from '../helpers/tollgate.js';

/** Policies that misbehave at run time: every one is a deny with a reason code, never an allow. */
describe('policy failures deny', () => {
  const cases = [
    {
      name: 'conflicting outputs (the SDK throws a string)',
      rego: 'package tollgate.authz\ndecision := {"allow": true} if input.request.method == "GET"\ndecision := {"allow": false} if input.request.path == "/v1/models"\n',
      reason: 'policy_error',
    },
    { name: 'undefined decision', rego: 'package tollgate.authz\ndecision := true if input.nothing\n', reason: 'policy_undefined' },
    { name: 'a string decision', rego: 'package tollgate.authz\ndecision := "allow"\n', reason: 'policy_result_invalid' },
    { name: 'allow is not a boolean', rego: 'package tollgate.authz\ndecision := {"allow": "yes"}\n', reason: 'policy_result_invalid' },
  ];

  test.each(cases)('$name', async ({ rego, reason }) => {
    const bundle = buildBundle({ 'p.rego': rego }, ['tollgate/authz/decision']);
    const tg = await startTollgate({ TOLLGATE_POLICY_BUNDLE: bundle });
    try {
      const res = await postJson(`${tg.url}/v1/authorize`, { method: 'GET', path: '/v1/models', headers: {} });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ allow: false, status: 500, reason });
      expect(tg.decisions()).toEqual([expect.objectContaining({ result: 'deny', reason, error_code: expect.stringMatching(/^ERR_POLICY_/) })]);
    } finally {
      await tg.stop();
    }
  });
});

describe('audit file', () => {
  test('decision records are also appended to the configured file, flushed on stop', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const tg = await startTollgate({ TOLLGATE_AUDIT_FILE: file });
    const res = await postJson(`${tg.url}/v1/authorize`, { method: 'GET', path: '/v1/models', headers: {} });
    await tg.stop();
    const records = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual([expect.objectContaining({ log_type: 'decision', decision_id: res.json.decision_id, reason: 'unauthenticated' })]);
  });
});
