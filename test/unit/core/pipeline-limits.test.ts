import { STANDARD_CREDENTIAL_HEADERS } from '../../../src/identity/credentials.js';
import { Pipeline } from '../../../src/core/pipeline.js';
import type { AdmittedLimits, LimitAdmission, PipelineDeps, UsageReader } from '../../../src/core/pipeline-ports.js';
import { DEFAULT_ENDPOINTS } from '../../../src/core/endpoint-catalogue.js';
import { EndpointMatcher } from '../../../src/core/endpoints.js';
import { TollgateError } from '../../../src/core/errors.js';
import type { AuthzRequest, Decision } from '../../../src/core/types.js';
import { principal } from '../../helpers/fixtures.js';

/** The pipeline's side of limits, with a fake admission port: admitted before policy, concluded on every decision after it. */

const request: AuthzRequest = {
  gateway: 'native', method: 'POST', path: '/v1/chat/completions', query: '', host: 'llm', scheme: 'http',
  headers: { 'x-key': 'k' }, source: {}, body: { model: 'gpt-4o-mini' },
};

function admission(outcome: 'admit' | 'none' | Error): LimitAdmission & { concluded: Decision[] } {
  const concluded: Decision[] = [];
  return {
    concluded,
    admit: async (): Promise<AdmittedLimits | undefined> => {
      if (outcome instanceof Error) throw outcome;
      if (outcome === 'none') return undefined;
      return { input: { admitted: true, applied: ['x'] }, conclude: (d) => void concluded.push(d) };
    },
  };
}

function pipeline(deps: Partial<PipelineDeps>, result: Record<string, unknown> = { allow: true }): { p: Pipeline; inputs: Array<Record<string, unknown>> } {
  const inputs: Array<Record<string, unknown>> = [];
  const p = new Pipeline({
    standardCredentialHeaders: STANDARD_CREDENTIAL_HEADERS, observers: [],
    authenticators: [{ name: 'k', credentialHeaders: ['x-key'], authenticate: () => principal() }],
    policy: () => ({ revision: 'r', ready: true, evaluate: (input) => (inputs.push(input), [{ result }]), evaluateEntrypoint: () => undefined, dataAt: () => undefined }),
    reading: { endpoints: new EndpointMatcher(DEFAULT_ENDPOINTS), upstreamReadsFallbacks: true }, ...deps,
  });
  return { p, inputs };
}

describe('Pipeline and limits', () => {
  test('policy reads the admission as input.limits; the decision is concluded once', async () => {
    const limits = admission('admit');
    const { p, inputs } = pipeline({ limits });
    const d = await p.authorize(request);
    expect(inputs[0].limits).toEqual({ admitted: true, applied: ['x'] });
    expect(limits.concluded).toEqual([d]);
  });

  test('a policy deny is concluded too, so the admission can give back what it took', async () => {
    const limits = admission('admit');
    const { p } = pipeline({ limits }, { allow: false, status: 403, reason: 'nope' });
    await p.authorize(request);
    expect(limits.concluded.map((d) => d.reason)).toEqual(['nope']);
  });

  test('a usage read that fails after admission still concludes (fail closed, nothing kept)', async () => {
    const limits = admission('admit');
    const usage: UsageReader = { usageFor: () => Promise.reject(new TollgateError('ERR_DEPENDENCY_UNAVAILABLE', 'down')) };
    const { p } = pipeline({ limits, usage });
    const d = await p.authorize(request);
    expect(d).toMatchObject({ allow: false, status: 503, reason: 'dependency_unavailable' });
    expect(limits.concluded).toEqual([d]);
  });

  test('a store that cannot answer is a 503 limits_unavailable before policy runs; no limit applying leaves input.limits empty', async () => {
    const failing = pipeline({ limits: admission(new TollgateError('ERR_LIMITS_UNAVAILABLE', 'redis down')) });
    expect(await failing.p.authorize(request)).toMatchObject({ allow: false, status: 503, reason: 'limits_unavailable', errorCode: 'ERR_LIMITS_UNAVAILABLE' });
    expect(failing.inputs).toEqual([]);
    const none = pipeline({ limits: admission('none') });
    await none.p.authorize(request);
    expect(none.inputs[0].limits).toMatchObject({ admitted: true, exceeded: null, applied: [] });
  });
});
