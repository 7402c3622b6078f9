import { LimitCatalogue } from '../../../src/limits/applicable.js';
import { TokenEstimator } from '../../../src/limits/estimate.js';
import { limitsSchema } from '../../../src/config/limits-schema.js';
import { principal } from '../../helpers/fixtures.js';
import { unknownEndpointFacts } from '../../../src/core/llm.js';
import type { LlmFacts } from '../../../src/core/types.js';

const llm = (models: string[], over: Partial<LlmFacts> = {}): LlmFacts => ({
  ...unknownEndpointFacts(null), endpointKnown: true, modelCall: true, model: models[0] ?? null, models, ...over,
});

describe('which limits apply', () => {
  const config = limitsSchema.parse({
    rules: [
      { name: 'team', match: { group: 'team-*' }, rpm: 50 },
      { name: 'big', match: { model: 'gpt-4o', tenant: 'acme' }, shared: true, token_budget: '1000000/1mo' },
      { name: 'key', match: { key_id: 'k_1' }, tpm: 10 },
    ],
  });
  const catalogue = new LimitCatalogue(config.rules);

  test('credential limits and every matching rule, each with its own counter (shared rules count every caller together)', () => {
    const p = principal({ id: 'api_key:a', groups: ['team-x'], tenant: 'acme', keyId: 'k_1', limits: { rpm: 5, token_budget: { tokens: 9, period: '1d' } } });
    expect(catalogue.applicable(p, llm(['gpt-4o-mini', 'gpt-4o'])).map((l) => [l.name, l.kind, l.period, l.limit, l.counter])).toEqual([
      ['credential.rpm', 'requests', '1m', 5, 'credential.rpm|api_key:a'],
      ['credential.token_budget', 'tokens', '1d', 9, 'credential.token_budget|api_key:a'],
      ['team.rpm', 'requests', '1m', 50, 'team.rpm|api_key:a'],
      ['big.token_budget', 'tokens', '1mo', 1000000, 'big.token_budget|*'],
      ['key.tpm', 'tokens', '1m', 10, 'key.tpm|api_key:a'],
    ]);
  });

  test('a model rule applies when any model the call can run matches, or when it may run one it does not name', () => {
    const p = principal({ tenant: 'acme' });
    expect(catalogue.applicable(p, llm(['gpt-4o-mini'])).map((l) => l.name)).toEqual([]);
    expect(catalogue.applicable(p, llm(['gpt-4o-mini'], { modelUnknown: true })).map((l) => l.name)).toEqual(['big.token_budget']);
    expect(catalogue.applicable(principal({ tenant: 'other' }), llm(['gpt-4o'])).map((l) => l.name)).toEqual([]);
  });

  test('the estimate is body bytes / 4 plus the request\'s cap, else the largest per-model default of its models', () => {
    const estimator = new TokenEstimator(100, { 'claude-*': 300 });
    const req = { rawBody: 'x'.repeat(41) } as never;
    expect(estimator.estimate(req, llm(['gpt-4o'], { maxTokens: 7 }))).toEqual({ prompt: 11, completion: 7, total: 18 });
    expect(estimator.estimate(req, llm(['gpt-4o', 'claude-3']))).toEqual({ prompt: 11, completion: 300, total: 311 });
    expect(estimator.estimate(req, llm(['gpt-4o']))).toEqual({ prompt: 11, completion: 100, total: 111 });
  });

  test('config: rules need a limit and a unique name; budgets are N/PERIOD', () => {
    expect(limitsSchema.safeParse({ rules: [{ name: 'x' }] }).success).toBe(false);
    expect(limitsSchema.safeParse({ rules: [{ name: 'x', rpm: 1 }, { name: 'x', tpm: 1 }] }).success).toBe(false);
    expect(limitsSchema.safeParse({ rules: [{ name: 'x', token_budget: '10/2d' }] }).success).toBe(false);
  });
});
