import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_ENDPOINTS } from '../../../src/core/endpoint-catalogue.js';
import { EndpointMatcher } from '../../../src/core/endpoints.js';
import { Pipeline } from '../../../src/core/pipeline.js';
import type { Authenticator } from '../../../src/core/pipeline-ports.js';
import type { AuthzRequest, CredentialKind, Principal } from '../../../src/core/types.js';
import { ApiKeyAuthenticator } from '../../../src/identity/api-keys.js';
import { bearerToken, looksLikeJwt, opaqueCredential, STANDARD_CREDENTIAL_HEADERS } from '../../../src/identity/credentials.js';
import { defaultBundlePath } from '../../../src/paths.js';
import { WasmPolicyEngine } from '../../../src/policy/wasm-engine.js';
import { tempDir, writeKeys, type TestKey } from '../../helpers/tollgate.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

describe('credential extraction', () => {
  test.each([
    ['Bearer abc', 'abc'],
    ['bearer   abc  ', 'abc'],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearer a b', undefined],
    ['Bearer', undefined],
  ])('Authorization %j: bearer token %j', (authorization, token) => {
    expect(bearerToken({ authorization })).toBe(token);
  });

  test('the JWT shape is three base64url parts', () => {
    expect(looksLikeJwt(JWT)).toBe(true);
    expect(looksLikeJwt('tg_abc_def')).toBe(false);
    expect(looksLikeJwt('a.b')).toBe(false);
    expect(looksLikeJwt('a.b.c.d')).toBe(false);
  });

  test('the opaque credential: a non-JWT bearer value, else x-api-key, else api-key; only the first counts', () => {
    expect(opaqueCredential({ authorization: 'Bearer one', 'x-api-key': 'two', 'api-key': 'three' })).toBe('one');
    expect(opaqueCredential({ authorization: `Bearer ${JWT}`, 'x-api-key': 'two' })).toBe('two');
    expect(opaqueCredential({ authorization: 'Basic x', 'api-key': 'three' })).toBe('three');
    expect(opaqueCredential({})).toBeUndefined();
    expect(() => opaqueCredential({ 'x-api-key': 'x'.repeat(8 * 1024 + 1) })).toThrow(expect.objectContaining({ code: 'ERR_CREDENTIAL_TOO_LARGE' }));
  });
});

/**
 * A second kind of opaque bearer credential next to API keys, asking credentials.ts the same way:
 * each claims only its own shape, and a value neither claims is still a 401, never anonymous.
 */
describe('a new bearer credential beside API keys', () => {
  const opaqueTokens: Authenticator = {
    name: 'opaque_token',
    credentialHeaders: STANDARD_CREDENTIAL_HEADERS,
    authenticate(req: AuthzRequest): Principal | null {
      const token = opaqueCredential(req.headers);
      if (!token?.startsWith('ot_')) return null;
      // A kind core/types.ts would gain with the real authenticator.
      const kind = 'opaque_token' as CredentialKind;
      return { kind, id: `opaque_token:${token}`, subject: token, scopes: [], models: ['*'], groups: [] };
    },
  };
  let key: TestKey;
  let pipeline: Pipeline;

  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [key] = writeKeys(file, [{ subject: 'billing', models: ['*'] }]);
    const engine = await WasmPolicyEngine.fromBundle(readFileSync(defaultBundlePath()), { entrypoint: 'tollgate/authz/decision', maxMemoryPages: 1024, now: Date.now });
    pipeline = new Pipeline({ standardCredentialHeaders: STANDARD_CREDENTIAL_HEADERS,
      authenticators: [new ApiKeyAuthenticator({ file, pollIntervalMs: 1000 }), opaqueTokens],
      policy: () => engine, observers: [],
      reading: { endpoints: new EndpointMatcher(DEFAULT_ENDPOINTS), upstreamReadsFallbacks: true },
    });
  });

  const decide = (headers: Record<string, string>) => pipeline.authorize({
    gateway: 'native', method: 'POST', path: '/v1/chat/completions', query: '', host: '', scheme: 'http', source: {},
    headers: { 'content-type': 'application/json', ...headers }, rawBody: '{"model":"gpt-4o"}',
  });

  test.each([
    ['an API key', () => ({ authorization: `Bearer ${key.secret}` }), 'billing'],
    ['the new token, in Authorization', () => ({ authorization: 'Bearer ot_123' }), 'ot_123'],
    ['the new token, in x-api-key', () => ({ 'x-api-key': 'ot_456' }), 'ot_456'],
  ])('%s is allowed as its own caller', async (_name, headers, subject) => {
    const decision = await decide(headers());
    expect(decision).toMatchObject({ allow: true, principal: { subject } });
  });

  test.each([
    ['an API key with a wrong secret', () => ({ authorization: `Bearer ${key.secret.slice(0, -4)}AAAA` })],
    ['a value neither claims', () => ({ authorization: 'Bearer sk-someone-else' })],
  ])('%s is a 401, never anonymous', async (_name, headers) => {
    const decision = await decide(headers());
    expect(decision).toMatchObject({ allow: false, status: 401, reason: 'credential_invalid', principal: undefined });
  });
});
