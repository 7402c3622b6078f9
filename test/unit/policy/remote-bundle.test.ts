import { pollDelay } from '../../../src/policy/remote-bundle.js';

/** Poll scheduling as OPA's bundle downloader does it (the integration test proves the polling itself). */
describe('pollDelay', () => {
  test('while all is well: uniform between min and max delay', () => {
    expect(pollDelay(0, 10_000, 20_000, 0)).toBe(10_000);
    expect(pollDelay(0, 10_000, 20_000, 0.5)).toBe(15_000);
    expect(pollDelay(0, 10_000, 20_000, 0.999)).toBeLessThan(20_000);
  });

  test('after failures: 0.1 s doubling, capped at max delay, jittered to between half and all of it', () => {
    expect([1, 2, 3, 4].map((n) => pollDelay(n, 10_000, 20_000, 1))).toEqual([100, 200, 400, 800]);
    expect(pollDelay(20, 10_000, 20_000, 1)).toBe(20_000);
    expect(pollDelay(3, 10_000, 20_000, 0)).toBe(200);
  });
});
