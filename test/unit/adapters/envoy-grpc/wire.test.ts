import { timeoutMs } from '../../../../src/adapters/envoy-grpc/wire.js';

describe('grpc-timeout', () => {
  test.each([
    ['100m', 100], ['5S', 5000], ['2M', 120_000], ['30000u', 30], ['1500000n', 1], [' 7S ', 7000],
  ])('%j is %d ms', (header, ms) => {
    expect(timeoutMs(header)).toBe(ms);
  });

  test.each(['123456789S', '5 S', '5s', 'S', '10m junk', 'x10m', ''])('%j is unreadable (NaN), not a shorter or different deadline', (header) => {
    expect(timeoutMs(header)).toBeNaN();
  });

  test('a deadline past what a Node timer holds waits that long, never wraps into an instant expiry', () => {
    expect(timeoutMs('3000H')).toBe(2 ** 31 - 1);
  });

  test('absent is no deadline', () => {
    expect(timeoutMs(undefined)).toBeUndefined();
  });
});
