import { parseSpiffeId } from '../../../src/identity/spiffe.js';
import { TrustedProxies } from '../../../src/common/trusted-proxies.js';
import { parseXfcc } from '../../../src/identity/xfcc.js';
import { codeOf as code } from '../../helpers/error-code.js';

describe('x-forwarded-client-cert parsing', () => {
  test('every field, repeated URI/DNS, quoted values with commas, semicolons and escaped quotes', () => {
    const header = 'By=spiffe://td/edge;Hash=468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688;'
      + 'Cert="-----BEGIN%20CERTIFICATE-----%0AMIIB";Chain="-----BEGIN%20CERTIFICATE-----%0AMIIC";'
      + 'Subject="CN=svc, O=Acme; Inc., OU=\\"eng\\"";URI=spiffe://td/ns/a;URI=https://a.example;DNS=a.svc;DNS=a';
    expect(parseXfcc(header)).toEqual([{
      by: 'spiffe://td/edge',
      hash: '468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688',
      cert: '-----BEGIN%20CERTIFICATE-----%0AMIIB',
      chain: '-----BEGIN%20CERTIFICATE-----%0AMIIC',
      subject: 'CN=svc, O=Acme; Inc., OU="eng"',
      uri: ['spiffe://td/ns/a', 'https://a.example'],
      dns: ['a.svc', 'a'],
    }]);
  });

  test('several elements, case-insensitive keys, unknown keys ignored', () => {
    expect(parseXfcc('By=a;URI=spiffe://td/one , by=b;uri=spiffe://td/two;Future=x')).toEqual([
      { by: 'a', uri: ['spiffe://td/one'], dns: [] },
      { by: 'b', uri: ['spiffe://td/two'], dns: [] },
    ]);
  });

  test.each([
    ['empty', ''],
    ['empty element', 'By=a,,By=b'],
    ['no equals sign', 'By=a;Hash'],
    ['empty key', '=x'],
    ['unterminated quote', 'Subject="CN=a'],
    ['too many elements', Array.from({ length: 17 }, () => 'By=a').join(',')],
    ['too large', `Subject="${'a'.repeat(70_000)}"`],
  ])('malformed: %s', (_name, header) => {
    expect(code(() => parseXfcc(header))).toBe('ERR_XFCC_MALFORMED');
  });
});

describe('SPIFFE IDs', () => {
  test.each([
    ['spiffe://example.org/ns/default/sa/web', 'example.org', '/ns/default/sa/web'],
    ['spiffe://example.org', 'example.org', ''],
    ['spiffe://prod-1.example_org/a.b/c-d/E_F', 'prod-1.example_org', '/a.b/c-d/E_F'],
  ])('valid %s', (id, trustDomain, path) => {
    expect(parseSpiffeId(id)).toEqual({ id, trustDomain, path });
  });

  test.each([
    'spiffe://Example.org/a', 'spiffe://example.org/', 'spiffe://example.org//a', 'spiffe://example.org/a/./b',
    'spiffe://example.org/a/..', 'spiffe://example.org:8443/a', 'spiffe://user@example.org/a', 'spiffe://example.org/a?x=1',
    'spiffe://example.org/a#f', 'spiffe:///a', 'https://example.org/a', 'spiffe://example.org/a%20b',
  ])('invalid %s', (id) => {
    expect(code(() => parseSpiffeId(id))).toBe('ERR_SPIFFE_ID_INVALID');
  });

  test('longer than 2048 bytes is invalid', () => {
    expect(code(() => parseSpiffeId(`spiffe://example.org/${'a'.repeat(2100)}`))).toBe('ERR_SPIFFE_ID_INVALID');
  });
});

describe('trusted proxies', () => {
  const proxies = new TrustedProxies(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);

  test.each([
    ['10.1.2.3', true], ['::ffff:10.1.2.3', true], ['192.168.1.7', true], ['192.168.1.8', false],
    ['fd12::1', true], ['fe80::1', false], ['11.0.0.1', false], [undefined, false], ['not-an-ip', false],
  ])('%s -> %s', (peer, trusted) => {
    expect(proxies.isTrusted(peer)).toBe(trusted);
  });

  test('an empty list trusts nobody; bad entries are refused', () => {
    expect(new TrustedProxies([]).isTrusted('127.0.0.1')).toBe(false);
    for (const bad of ['10.0.0.0/', '10.0.0.0/33', 'ten.0.0.0/8', '10.0.0.0/8x']) expect(() => new TrustedProxies([bad])).toThrow(/trusted proxy/);
  });
});
