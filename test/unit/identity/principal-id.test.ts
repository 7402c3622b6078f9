import fc from 'fast-check';
import { jwtKeyId, principalId } from '../../../src/identity/principal-id.js';

type Triple = ['api_key' | 'jwt' | 'mtls', string, string | undefined];

describe('identity ids', () => {
  test.each<[string, Triple, string]>([
    ['API key', ['api_key', 'billing-agent', undefined], 'api_key:billing-agent'],
    ['mTLS SPIFFE ID', ['mtls', 'spiffe://prod.example.com/ns/ml/sa/trainer', undefined], 'mtls:spiffe://prod.example.com/ns/ml/sa/trainer'],
    ['JWT', ['jwt', 'alice', 'https://login.example.com/realms/staff'], 'jwt:https://login.example.com/realms/staff#alice'],
    ['JWT, # and % in the issuer are encoded', ['jwt', 'a#b', 'https://x/#%'], 'jwt:https://x/%23%25#a#b'],
  ])('%s', (_name, [kind, subject, issuer], id) => {
    expect(principalId(kind, subject, issuer)).toBe(id);
  });

  // Pairs that a naive "<kind>:<issuer>#<subject>" or bare subject would merge.
  test.each<[string, Triple, Triple]>([
    ['same subject, API key and mTLS', ['api_key', 'svc', undefined], ['mtls', 'svc', undefined]],
    ['same subject, API key and JWT', ['api_key', 'svc', undefined], ['jwt', 'svc', 'iss']],
    ['same sub, two issuers', ['jwt', 'alice', 'https://a.example'], ['jwt', 'alice', 'https://b.example']],
    ['# moved between issuer and subject', ['jwt', 'c', 'a#b'], ['jwt', 'b#c', 'a']],
    ['an issuer spelling the encoding', ['jwt', 's', 'a%23b'], ['jwt', 's', 'a#b']],
    ['an API key subject spelling a JWT id', ['api_key', 'jwt:iss#alice', undefined], ['jwt', 'alice', 'iss']],
  ])('distinct: %s', (_name, a, b) => {
    expect(principalId(...a)).not.toBe(principalId(...b));
  });

  test('no two different (kind, issuer, subject) triples share an id', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '#', '%', '2', '3', '5', ':', 'é'), maxLength: 6 });
    const triple = fc.oneof(
      fc.tuple(fc.constantFrom('api_key' as const, 'mtls' as const), text, fc.constant(undefined)),
      fc.tuple(fc.constant('jwt' as const), text, text),
    );
    fc.assert(fc.property(triple, triple, (a, b) => {
      const same = a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
      return (principalId(a[0], a[1], a[2]) === principalId(b[0], b[1], b[2])) === same;
    }), { numRuns: 20_000 });
  });

  test('JWT key ids: one per identity id, shaped jwt_<16 hex>', () => {
    const a = jwtKeyId(principalId('jwt', 'alice', 'https://a.example'));
    expect(a).toMatch(/^jwt_[0-9a-f]{16}$/);
    expect(jwtKeyId(principalId('jwt', 'alice', 'https://a.example'))).toBe(a);
    expect(jwtKeyId(principalId('jwt', 'alice', 'https://b.example'))).not.toBe(a);
    expect(jwtKeyId(principalId('jwt', 'bob', 'https://a.example'))).not.toBe(a);
  });
});
