import { decodeEvaluations, readAccessBody } from '../../../../src/adapters/authzen/decode.js';
import { searchBinding, tokenOffset } from '../../../../src/adapters/authzen/search.js';

describe('AuthZEN request decoding', () => {
  const alice = { type: 'user', id: 'alice', properties: { role: 'admin' } };

  test('a per-item entity replaces the default whole, falling back to the default\'s identifiers only', () => {
    const decoded = decodeEvaluations({
      subject: alice, action: { name: 'read', properties: { a: 1 } }, resource: { type: 'doc', id: '1' }, context: { ip: '10.0.0.1' },
      evaluations: [{}, { subject: { properties: { role: 'viewer' } }, action: { properties: { b: 2 } }, context: { ip: '10.0.0.2' } }],
    }, 10);
    expect(decoded.kind).toBe('batch');
    if (decoded.kind !== 'batch') return;
    expect(decoded.items[0]).toEqual({ subject: alice, action: { name: 'read', properties: { a: 1 } }, resource: { type: 'doc', id: '1' }, context: { ip: '10.0.0.1' } });
    expect(decoded.items[1]).toEqual({
      subject: { type: 'user', id: 'alice', properties: { role: 'viewer' } }, action: { name: 'read', properties: { b: 2 } },
      resource: { type: 'doc', id: '1' }, context: { ip: '10.0.0.2' },
    });
  });

  test('an item still incomplete after the defaults is its own error, the others stand', () => {
    const decoded = decodeEvaluations({ subject: alice, action: { name: 'read' }, evaluations: [{ resource: { type: 'doc', id: '1' } }, 'x', { resource: { id: 2 } }] }, 10);
    if (decoded.kind !== 'batch') throw new Error('a batch was expected');
    expect(decoded.items.map((item) => ('subject' in item ? 'ok' : item.message))).toEqual(['ok', 'evaluations[1] must be an object', '"resource.type" must be a string']);
    expect(decoded.semantic).toBe('execute_all');
  });

  test.each([
    ['application/json; charset=utf-8', true],
    ['Application/JSON', true],
    ['application/jsonx', false],
    ['text/json', false],
    [undefined, false],
  ])('content type %s accepted: %s', (contentType, ok) => {
    const read = () => readAccessBody(contentType, Buffer.from('{}'));
    if (ok) expect(read()).toEqual({});
    else expect(read).toThrow('Content-Type must be application/json');
  });

  test.each(['[]', '"x"', 'null'])('a body of %s is not a JSON object', (text) => {
    expect(() => readAccessBody('application/json', Buffer.from(text))).toThrow('the body must be a JSON object');
  });
});

describe('search page tokens', () => {
  const doc = { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'doc', id: '1' }, page: { limit: 1 } };

  test('a token is bound to the endpoint, the caller and the request without its token', () => {
    const binding = searchBinding('/access/v1/search/subject', 'api_key:pep', doc);
    expect(searchBinding('/access/v1/search/subject', 'api_key:pep', { ...doc, page: { limit: 1, token: 'abc' } })).toBe(binding);
    expect(searchBinding('/access/v1/search/resource', 'api_key:pep', doc)).not.toBe(binding);
    expect(searchBinding('/access/v1/search/subject', 'api_key:other', doc)).not.toBe(binding);
    expect(searchBinding('/access/v1/search/subject', 'api_key:pep', { ...doc, page: { limit: 2 } })).not.toBe(binding);
  });

  test('only a token issued for the same binding is accepted', () => {
    const binding = searchBinding('/p', null, doc);
    const token = Buffer.from(`7.${binding}`).toString('base64url');
    expect(tokenOffset(token, binding)).toBe(7);
    expect(tokenOffset(null, binding)).toBe(0);
    expect(() => tokenOffset(token, searchBinding('/q', null, doc))).toThrow('page.token was not issued for this request');
    expect(() => tokenOffset('not-a-token', binding)).toThrow('page.token');
  });
});
