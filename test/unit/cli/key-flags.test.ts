import { UsageError } from '../../../src/cli/args.js';
import { listFlag, parseDuration, parseLimits } from '../../../src/cli/key-flags.js';

function usageProblem(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no usage error');
}

describe('key flags', () => {
  test('a list flag: repeated, comma lists, blanks dropped', () => {
    expect(listFlag(['a,b', ' c ', 'd,,'])).toEqual(['a', 'b', 'c', 'd']);
    expect(listFlag(undefined)).toEqual([]);
  });

  test.each<[string, object, object | undefined]>([
    ['none', {}, undefined],
    ['rpm and tpm', { rpm: '3', tpm: '100000' }, { rpm: 3, tpm: 100000 }],
    ['a monthly token budget', { 'token-budget': '1000000/1mo' }, { token_budget: { tokens: 1000000, period: '1mo' } }],
    ['every period', { 'token-budget': '5/30d' }, { token_budget: { tokens: 5, period: '30d' } }],
  ])('limits: %s', (_name, flags, want) => {
    expect(parseLimits(flags)).toEqual(want);
  });

  test.each<[string, object, RegExp]>([
    ['rpm zero', { rpm: '0' }, /^--rpm: "0" is not a positive integer$/],
    ['rpm negative', { rpm: '-3' }, /--rpm/],
    ['rpm fractional', { rpm: '1.5' }, /--rpm/],
    ['rpm in exponent form', { rpm: '1e3' }, /--rpm/],
    ['tpm beyond a safe integer', { tpm: '99999999999999999999' }, /--tpm/],
    ['a budget without a period', { 'token-budget': '1000' }, /^--token-budget: "1000" is not TOKENS\/PERIOD/],
    ['a budget with an unknown period', { 'token-budget': '1000/2d' }, /--token-budget/],
    ['a budget with two periods', { 'token-budget': '1000/1d/1h' }, /--token-budget/],
    ['a budget of zero tokens', { 'token-budget': '0/1d' }, /^--token-budget: "0" is not a positive integer$/],
  ])('limits, usage error: %s', (_name, flags, want) => {
    expect(usageProblem(() => parseLimits(flags))).toMatch(want);
  });

  test('durations: s, m, h, d up to 100 years; zero, no unit, other units and longer are usage errors', () => {
    expect([parseDuration('x', '90s'), parseDuration('x', '15m'), parseDuration('x', '12h'), parseDuration('x', '30d')]).toEqual([90e3, 900e3, 43200e3, 2592000e3]);
    for (const bad of ['0d', '30', 'soon', '1w', '-1d', '1.5h']) expect(usageProblem(() => parseDuration('grace', bad))).toMatch(/^--grace: invalid duration/);
    expect(parseDuration('expires', '36500d')).toBe(36500 * 86400e3);
    for (const tooLong of ['36501d', '99999999999999999999d']) expect(usageProblem(() => parseDuration('expires', tooLong))).toBe(`--expires: "${tooLong}" is longer than 100 years`);
  });
});
