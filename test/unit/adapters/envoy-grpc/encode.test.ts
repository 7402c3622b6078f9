import { encodeCheckResponse, envoyStatus, internalErrorResponse } from '../../../../src/adapters/envoy-grpc/encode.js';
import { fromStruct } from '../../../../src/adapters/envoy-grpc/struct.js';
import type { CheckResponseMessage } from '../../../../src/adapters/envoy-grpc/messages.js';
import type { Decision } from '../../../../src/core/types.js';
import { decision } from '../../../helpers/fixtures.js';

const principal = { kind: 'api_key' as const, id: 'api_key:svc-a', subject: 'svc-a', keyId: 'k1', scopes: [], models: [], groups: [] };
const opt = (key: string, value: string) => ({ header: { key, value }, append: { value: false } });

describe('encodeCheckResponse', () => {
  test('allow: OK, identity headers set, spoofed ones removed, metadata', () => {
    const res = encodeCheckResponse(decision({
      principal,
      headers: { 'x-tollgate-subject': 'svc-a', 'x-tollgate-key-id': 'k1', 'x-tollgate-on-behalf-of': '' },
      removeHeaders: ['x-tollgate-subject', 'x-tollgate-on-behalf-of', 'authorization'],
      responseHeaders: { 'x-ratelimit-remaining': '9' },
      dynamicMetadata: { team: 'blue', decision_id: 'forged' },
    }));
    expect(res.status).toEqual({ code: 0, message: 'allowed' });
    expect(res.denied_response).toBeUndefined();
    expect(res.ok_response!.headers).toEqual([opt('x-tollgate-subject', 'svc-a'), opt('x-tollgate-key-id', 'k1')]);
    // A header both set and removed would be removed after being set (Envoy's order); empty ones are removed instead.
    expect(res.ok_response!.headers_to_remove.sort()).toEqual(['authorization', 'x-tollgate-on-behalf-of']);
    expect(res.ok_response!.response_headers_to_add).toEqual([opt('x-ratelimit-remaining', '9')]);
    expect(fromStruct(res.dynamic_metadata)).toEqual({ team: 'blue', decision_id: 'd-1', reason: 'allowed', subject: 'svc-a', key_id: 'k1', policy_revision: 'rev1' });
  });

  const denies: Array<{ name: string; input: Partial<Decision>; want: { code: number; http: number; headers: Record<string, string> }; body: string }> = [
    {
      name: '401 is UNAUTHENTICATED with the Bearer challenge',
      input: { status: 401, reason: 'unauthenticated', denial: { code: 'unauthenticated', message: 'm', challenge: {} } },
      want: { code: 16, http: 401, headers: { 'www-authenticate': 'Bearer realm="tollgate"', 'content-type': 'application/json' } },
      body: '{"error":{"code":"unauthenticated","message":"m","decision_id":"d-1"}}',
    },
    {
      name: 'a refused credential\'s challenge names invalid_token',
      input: { status: 401, reason: 'credential_invalid', denial: { code: 'credential_invalid', message: 'm', challenge: { error: 'invalid_token' } } },
      want: { code: 16, http: 401, headers: { 'www-authenticate': 'Bearer realm="tollgate", error="invalid_token"', 'content-type': 'application/json' } },
      body: '{"error":{"code":"credential_invalid","message":"m","decision_id":"d-1"}}',
    },
    {
      name: '403 is PERMISSION_DENIED',
      input: { status: 403, reason: 'model_not_allowed', denial: { code: 'model_not_allowed', message: 'm', policyBody: '{"error":{}}' } },
      want: { code: 7, http: 403, headers: { 'content-type': 'application/json' } },
      body: '{"error":{}}',
    },
    {
      name: '429 carries retry-after; policy deny headers too',
      input: { status: 429, reason: 'rate_limited', headers: { 'x-why': 'budget' }, responseHeaders: { 'retry-after': '30' }, denial: { code: 'rate_limited', message: 'm', policyBody: '{"error":{}}' } },
      want: { code: 7, http: 429, headers: { 'x-why': 'budget', 'retry-after': '30', 'content-type': 'application/json' } },
      body: '{"error":{}}',
    },
    {
      name: 'a policy text body keeps its own type (none added)',
      input: { status: 403, reason: 'denied', denial: { code: 'denied', message: 'm', policyBody: 'go away' } },
      want: { code: 7, http: 403, headers: {} },
      body: 'go away',
    },
    {
      name: 'a status outside Envoy\'s enum falls back to its class',
      input: { status: 418, reason: 'teapot', denial: { code: 'teapot', message: 'm', policyBody: '{}' } },
      want: { code: 7, http: 403, headers: { 'content-type': 'application/json' } },
      body: '{}',
    },
  ];
  test.each(denies)('deny: $name', ({ input, want, body }) => {
    const res: CheckResponseMessage = encodeCheckResponse(decision({ allow: false, principal: undefined, ...input }));
    expect(res.status.code).toBe(want.code);
    expect(res.ok_response).toBeUndefined();
    expect(res.denied_response!.status).toEqual({ code: want.http });
    expect(res.denied_response!.headers).toEqual(Object.entries(want.headers).map(([k, v]) => opt(k, v)));
    expect(res.denied_response!.body).toBe(body);
    expect(fromStruct(res.dynamic_metadata)).toEqual({ decision_id: 'd-1', reason: input.reason, policy_revision: 'rev1' });
  });

  test.each([[413, 413], [503, 503], [499, 403], [599, 500]])('envoyStatus(%d) = %d', (input, want) => expect(envoyStatus(input)).toBe(want));

  test('internal error response is a well-formed deny', () => {
    const res = internalErrorResponse();
    expect(res.status.code).toBe(7);
    expect(res.denied_response!.status.code).toBe(500);
    expect(JSON.parse(res.denied_response!.body)).toMatchObject({ error: { code: 'internal_error' } });
  });
});
