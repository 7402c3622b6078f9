import { identityHeaders } from '../../src/core/pipeline.js';
import type { Principal } from '../../src/core/types.js';

const principal = (subject: string): Principal => ({ kind: 'jwt', subject, scopes: [], models: [], groups: [] });

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
  ])('%s', (_name, subject, header) => {
    const headers = identityHeaders('d', principal(subject), { user: principal(subject), chain: [] });
    expect(headers['x-tollgate-subject']).toBe(header);
    expect(headers['x-tollgate-on-behalf-of']).toBe(header);
    expect(decodeURIComponent(header)).toBe(subject);
  });
});
