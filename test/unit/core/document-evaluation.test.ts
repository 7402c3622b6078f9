import { STANDARD_CREDENTIAL_HEADERS } from '../../../src/identity/credentials.js';
import { Pipeline } from '../../../src/core/pipeline.js';
import type { PolicyEngine } from '../../../src/core/pipeline-ports.js';
import { DEFAULT_ENDPOINTS } from '../../../src/core/endpoint-catalogue.js';
import { EndpointMatcher } from '../../../src/core/endpoints.js';
import { TollgateError } from '../../../src/core/errors.js';
import type { AuthzRequest, Decision } from '../../../src/core/types.js';
import { decisionResult } from '../../../src/observability/decision-result.js';

describe('Pipeline.evaluateDocument: the Data API path, recorded once as an evaluation', () => {
  const records: Array<{ req: AuthzRequest; d: Decision }> = [];
  let policy: PolicyEngine | undefined;
  const pipeline = new Pipeline({ standardCredentialHeaders: STANDARD_CREDENTIAL_HEADERS,
    authenticators: [], policy: () => policy, observers: [{ onDecision: (req, d) => records.push({ req, d }) }],
    reading: { endpoints: new EndpointMatcher(DEFAULT_ENDPOINTS), upstreamReadsFallbacks: true },
  });
  const req: AuthzRequest = { gateway: 'opa_data_api', method: 'POST', path: '/v1/data/x/allow', query: '', host: '', scheme: 'http', headers: {}, source: {} };
  const engine = (evaluateEntrypoint: PolicyEngine['evaluateEntrypoint']): PolicyEngine => ({ revision: 'r1', ready: true, evaluate: () => [], evaluateEntrypoint, dataAt: () => undefined });
  beforeEach(() => {
    records.length = 0;
  });

  test.each([
    ['defined', [{ result: { allow: true } }], { kind: 'defined', value: { allow: true } }, 'evaluation_defined'],
    ['undefined', [], { kind: 'undefined' }, 'evaluation_undefined'],
    ['no such entrypoint', undefined, { kind: 'undefined' }, 'evaluation_undefined'],
  ])('%s', async (_name, resultSet, outcome, reason) => {
    policy = engine((name, input) => (name === 'x/allow' && input === 'in' ? resultSet : undefined));
    const evaluation = await pipeline.evaluateDocument(req, () => ({ entrypoint: 'x/allow', input: 'in' }));
    expect(evaluation.outcome).toEqual(outcome);
    expect(records).toHaveLength(1);
    // Even a defined {"allow": true} authorises nobody: the caller wrote the input.
    expect(records[0].d).toMatchObject({ decisionId: evaluation.decisionId, allow: false, status: 200, reason, policyRevision: 'r1' });
    expect(records[0].d.denial).toBeUndefined();
    expect(decisionResult(records[0].req, records[0].d)).toBe('evaluation');
  });

  test('a query that cannot be read is recorded with its error code', async () => {
    policy = engine(() => [{ result: 1 }]);
    const { outcome } = await pipeline.evaluateDocument(req, async () => Promise.reject(new TollgateError('ERR_REQUEST_TOO_LARGE', 'too big')));
    expect(outcome).toMatchObject({ kind: 'unreadable', error: { code: 'ERR_REQUEST_TOO_LARGE' } });
    expect(records.map((r) => r.d)).toEqual([expect.objectContaining({ allow: false, status: 500, reason: 'request_too_large', errorCode: 'ERR_REQUEST_TOO_LARGE' })]);
  });

  test('no policy, or one that throws, is a recorded failure', async () => {
    policy = undefined;
    expect((await pipeline.evaluateDocument(req, () => ({ entrypoint: 'x/allow', input: {} }))).outcome).toMatchObject({ kind: 'failed', error: { code: 'ERR_POLICY_NOT_READY' } });
    policy = engine(() => {
      throw new Error('wasm trap');
    });
    expect((await pipeline.evaluateDocument(req, () => ({ entrypoint: 'x/allow', input: {} }))).outcome).toMatchObject({ kind: 'failed', error: { code: 'ERR_POLICY_EVAL_FAILED', message: 'wasm trap' } });
    expect(records.map((r) => [r.d.reason, r.d.errorCode, r.d.policyRevision])).toEqual([['policy_not_ready', 'ERR_POLICY_NOT_READY', ''], ['policy_error', 'ERR_POLICY_EVAL_FAILED', 'r1']]);
  });
});
