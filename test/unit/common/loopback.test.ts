import { isLoopback } from '../../../src/common/loopback.js';

describe('isLoopback', () => {
  test.each(['localhost', '127.0.0.1', '127.9.8.7', '::1', '[::1]'])('%s is loopback', (host) => {
    expect(isLoopback(host)).toBe(true);
  });

  test.each(['0.0.0.0', '::', '10.0.0.1', '127.0.0.1.example.com', 'localhost.example', '[::2]', '128.0.0.1', ''])('%s is not', (host) => {
    expect(isLoopback(host)).toBe(false);
  });
});
