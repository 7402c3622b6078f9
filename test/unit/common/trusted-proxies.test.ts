import { TrustedProxies } from '../../../src/common/trusted-proxies.js';

describe('TrustedProxies.clientAddress', () => {
  const proxies = new TrustedProxies(['10.0.0.0/8', '192.0.2.1', 'fd00::/8']);
  test.each([
    ['untrusted peer: X-Forwarded-For ignored', '203.0.113.1', '198.51.100.1', '203.0.113.1'],
    ['trusted peer, one hop', '10.1.2.3', '198.51.100.1', '198.51.100.1'],
    ['trusted peer, client-forged entry left of the real one', '10.1.2.3', '6.6.6.6, 198.51.100.1', '198.51.100.1'],
    ['trusted chain skipped from the right', '192.0.2.1', '198.51.100.1, 10.9.9.9', '198.51.100.1'],
    ['IPv4-mapped peer', '::ffff:10.1.2.3', '198.51.100.1', '198.51.100.1'],
    ['IPv6 trusted peer', 'fd00::1', '2001:db8::5', '2001:db8::5'],
    ['garbage entry: fall back to the peer', '10.1.2.3', 'unknown', '10.1.2.3'],
    ['no header', '10.1.2.3', undefined, '10.1.2.3'],
    ['all hops trusted: the left-most', '10.1.2.3', '10.0.0.1, 10.0.0.2', '10.0.0.1'],
  ])('%s', (_name, peer, xff, want) => {
    expect(proxies.clientAddress(peer, xff)).toBe(want);
  });

  test('an empty list trusts nobody', () => {
    expect(new TrustedProxies([]).clientAddress('10.1.2.3', '198.51.100.1')).toBe('10.1.2.3');
  });
});
