import { decodeCheckRequest } from '../../../../src/adapters/envoy-grpc/decode.js';
import type { CheckRequestMessage, HttpRequestMessage } from '../../../../src/adapters/envoy-grpc/messages.js';

const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

function check(http: HttpRequestMessage, extra: CheckRequestMessage['attributes'] = {}): CheckRequestMessage {
  return { attributes: { request: { http }, ...extra } };
}

const baseHeaders = { ':authority': 'llm.example.com', ':method': 'POST', ':path': '/v1/chat/completions?api-version=1', ':scheme': 'https', authorization: 'Bearer k', 'content-type': 'application/json' };

describe('decodeCheckRequest', () => {
  const cases: Array<{ name: string; input: CheckRequestMessage; want: Record<string, unknown> }> = [
    {
      name: 'method, path with query split, host, scheme; pseudo-headers become facts, not headers',
      input: check({ method: 'POST', path: '/v1/chat/completions?api-version=1', host: 'llm.example.com', scheme: 'https', headers: baseHeaders }),
      want: {
        gateway: 'envoy_grpc', method: 'POST', path: '/v1/chat/completions', query: 'api-version=1', host: 'llm.example.com', scheme: 'https',
        headers: { authorization: 'Bearer k', 'content-type': 'application/json', host: 'llm.example.com' },
      },
    },
    {
      name: 'falls back to pseudo-headers when the http fields are empty',
      input: check({ headers: baseHeaders }),
      want: { method: 'POST', path: '/v1/chat/completions', query: 'api-version=1', host: 'llm.example.com', scheme: 'https' },
    },
    {
      name: 'the body is passed on as text (core reads it by content type)',
      input: check({ method: 'POST', path: '/v1/chat/completions', headers: {}, body: chat }),
      want: { rawBody: chat },
    },
    {
      name: 'raw_body (pack_as_bytes) is passed on the same way',
      input: check({ method: 'POST', path: '/v1/chat/completions', headers: {}, raw_body: Buffer.from(chat) }),
      want: { rawBody: chat },
    },
    {
      name: 'a body that is not JSON is passed on as it is',
      input: check({ method: 'POST', path: '/upload', headers: {}, body: 'a=1&b=2' }),
      want: { rawBody: 'a=1&b=2', body: undefined },
    },
    {
      name: 'x-envoy-auth-partial-body: true marks the body truncated and is not passed as a header',
      input: check({ method: 'POST', path: '/v1/chat/completions', headers: { 'x-envoy-auth-partial-body': 'true' }, body: chat.slice(0, 20) }),
      want: { bodyTruncated: true, rawBody: chat.slice(0, 20), headers: {} },
    },
    {
      name: 'x-envoy-auth-partial-body: false is a whole body',
      input: check({ method: 'POST', path: '/v1/chat/completions', headers: { 'x-envoy-auth-partial-body': 'false' }, body: chat }),
      want: { bodyTruncated: undefined, rawBody: chat },
    },
    {
      name: 'header_map (encode_raw_headers) with repeated keys and raw_value',
      input: check({
        method: 'GET', path: '/v1/models',
        header_map: { headers: [{ key: ':authority', raw_value: Buffer.from('h') }, { key: 'X-Tag', raw_value: Buffer.from('a') }, { key: 'x-tag', value: 'b' }] },
      }),
      want: { host: 'h', headers: { 'x-tag': 'a, b', host: 'h' } },
    },
    {
      name: 'source address, mTLS principal and certificate',
      input: check({ method: 'GET', path: '/v1/models', headers: {} }, {
        source: { address: { socket_address: { address: '10.1.2.3', port_value: 4444 } }, principal: 'spiffe://example.org/ns/a/sa/b', certificate: '-----BEGIN%20CERTIFICATE-----' },
      }),
      want: { source: { address: '10.1.2.3', principal: 'spiffe://example.org/ns/a/sa/b', certificate: '-----BEGIN%20CERTIFICATE-----' } },
    },
    {
      name: 'context extensions and metadata context',
      input: check({ method: 'GET', path: '/v1/models', headers: {} }, {
        context_extensions: { tenant: 'blue' },
        metadata_context: { filter_metadata: { 'envoy.filters.http.jwt_authn': { fields: { sub: { stringValue: 'u1' }, n: { numberValue: 2 }, l: { listValue: { values: [{ boolValue: true }, { nullValue: 'NULL_VALUE' }] } } } } } },
        route_metadata_context: { filter_metadata: { route: { fields: { tier: { structValue: { fields: { a: { stringValue: 'x' } } } } } } } },
      }),
      want: {
        context: { tenant: 'blue' },
        gatewayMetadata: {
          filter_metadata: { 'envoy.filters.http.jwt_authn': { sub: 'u1', n: 2, l: [true, null] } },
          route_filter_metadata: { route: { tier: { a: 'x' } } },
        },
      },
    },
    {
      name: 'no context or metadata: the fields stay absent',
      input: check({ method: 'GET', path: '/', headers: {} }, { context_extensions: {}, metadata_context: {} }),
      want: { context: undefined, gatewayMetadata: undefined, source: {} },
    },
  ];
  test.each(cases)('$name', ({ input, want }) => {
    const req = decodeCheckRequest(input, '127.0.0.1') as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(want)) expect(req[key]).toEqual(value);
    expect(req.transportPeer).toBe('127.0.0.1');
  });

  const malformed: Array<{ name: string; input: CheckRequestMessage }> = [
    { name: 'no attributes', input: {} },
    { name: 'no http request', input: { attributes: { request: {} } } },
    { name: 'no method', input: check({ path: '/', headers: {} }) },
    { name: 'method that is not a token', input: check({ method: 'GE T', path: '/', headers: {} }) },
    { name: 'no path', input: check({ method: 'GET', headers: {} }) },
  ];
  test.each(malformed)('malformed: $name', ({ input }) => {
    expect(() => decodeCheckRequest(input, undefined)).toThrow(expect.objectContaining({ code: 'ERR_REQUEST_MALFORMED' }));
  });
});
