import { identityHeaders } from '../../../src/core/identity-headers.js';
import type { Principal } from '../../../src/core/types.js';

const principal = (subject: string): Principal => ({ kind: 'jwt', id: `jwt:test#${subject}`, subject, scopes: [], models: [], groups: [] });

describe('identity headers', () => {
  test('every header Tollgate owns is present, empty when unknown', () => {
    expect(identityHeaders('d-1', null)).toEqual({
      'x-tollgate-subject': '', 'x-tollgate-key-id': '', 'x-tollgate-credential': 'none', 'x-tollgate-decision-id': 'd-1', 'x-tollgate-on-behalf-of': '',
    });
  });

  test.each([
    ['plain ASCII stays as is', 'svc-a@example.com', 'svc-a@example.com'],
    ['Unicode from a token claim is percent-encoded', 'Zoë Müller', 'Zo%C3%AB%20M%C3%BCller'],
    ['a header break cannot be smuggled in', 'alice\r\nx-admin: 1', 'alice%0D%0Ax-admin%3A%201'],
    ['a literal % is encoded so decoding is unambiguous', '100%', '100%25'],
    ['NUL and DEL', 'a\u0000b\u007f', 'a%00b%7F'],
    ['Latin-1 is not left for a gateway to mangle', 'café', 'caf%C3%A9'],
    ['beyond the BMP', 'agent🤖', 'agent%F0%9F%A4%96'],
  ])('%s', (_name, subject, header) => {
    const headers = identityHeaders('d', { ...principal(subject), keyId: subject }, { user: principal(subject), chain: [] });
    expect(headers['x-tollgate-subject']).toBe(header);
    expect(headers['x-tollgate-key-id']).toBe(header);
    expect(headers['x-tollgate-on-behalf-of']).toBe(header);
    expect(decodeURIComponent(header)).toBe(subject);
  });

  test('every identity header value is one a header can carry, whatever the claims held', () => {
    for (let code = 0; code < 0x3000; code += 7) {
      const odd = `x${String.fromCodePoint(code)}y`;
      const headers = identityHeaders('d', { ...principal(odd), keyId: odd }, { user: principal(odd), chain: [] });
      for (const value of Object.values(headers)) expect(value).toMatch(/^[\x20-\x7e]*$/);
    }
  });
});
