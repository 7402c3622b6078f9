import { VerifiedTokenCache } from '../../../../src/identity/jwt/token-cache.js';
import { actorChain, principalFromClaims, readClaim } from '../../../../src/identity/jwt/claims.js';

const NO_LIMIT_CLAIMS = { rpm: null, tpm: null, token_budget: null };

describe('VerifiedTokenCache', () => {
  let clock = 1_000_000;
  const cache = new VerifiedTokenCache<string>({ maxEntries: 2, ttlMs: 10_000, now: () => clock });

  test('keys are SHA-256 digests that never contain the token, and depend on where it came from', () => {
    const key = VerifiedTokenCache.key('authorization', 'eyJhbGciOi.payload.signature');
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toBe(VerifiedTokenCache.key('x-other', 'eyJhbGciOi.payload.signature'));
  });

  test('an entry lasts until the earlier of the token expiry and the TTL', () => {
    cache.set('a', 'short', clock + 2_000);
    cache.set('b', 'long', clock + 60_000);
    clock += 2_000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('long');
    clock += 8_000;
    expect(cache.get('b')).toBeUndefined();
  });

  test('bounded: the oldest entry goes first; already expired tokens are never stored', () => {
    cache.set('1', 'one', clock + 5_000);
    cache.set('2', 'two', clock + 5_000);
    cache.set('3', 'three', clock + 5_000);
    expect([cache.get('1'), cache.get('2'), cache.get('3')]).toEqual([undefined, 'two', 'three']);
    cache.set('old', 'x', clock - 1);
    expect(cache.get('old')).toBeUndefined();
    expect(cache.size).toBe(2);
  });
});

describe('claim mapping', () => {
  const claims = {
    sub: 'system:serviceaccount:ml:trainer',
    iss: 'https://kubernetes.default.svc.cluster.local',
    exp: 2_000_000_000,
    'kubernetes.io': { namespace: 'ml', serviceaccount: { name: 'trainer' } },
    'https://example.com/groups': ['admins'],
    realm_access: { roles: ['ops', 'dev'] },
    scope: 'openid  model:gpt-4o*',
    scp: ['model:o3', 'model:gpt-4o*'],
  };

  test('names with dots, nested paths, and absent claims', () => {
    expect(readClaim(claims, 'kubernetes.io.namespace')).toBe('ml');
    expect(readClaim(claims, 'kubernetes.io.serviceaccount.name')).toBe('trainer');
    expect(readClaim(claims, 'https://example.com/groups')).toEqual(['admins']);
    expect(readClaim(claims, 'realm_access.roles')).toEqual(['ops', 'dev']);
    expect(readClaim(claims, 'realm_access.missing')).toBeUndefined();
    expect(readClaim(claims, 'sub.length')).toBeUndefined();
  });

  test('a principal through a mapping: scopes from both claims, de-duplicated', () => {
    const p = principalFromClaims(claims, { subject: 'sub', groups: 'realm_access.roles', scopes: ['scope', 'scp'], tenant: 'kubernetes.io.namespace', models: null, ...NO_LIMIT_CLAIMS });
    expect(p).toMatchObject({
      kind: 'jwt', id: `jwt:${claims.iss}#system:serviceaccount:ml:trainer`, subject: 'system:serviceaccount:ml:trainer', issuer: claims.iss, tenant: 'ml',
      scopes: ['openid', 'model:gpt-4o*', 'model:o3'], groups: ['ops', 'dev'], models: [], expiresAt: 2_000_000_000,
    });
  });

  test('a token without the mapped subject is refused', () => {
    expect(() => principalFromClaims(claims, { subject: 'email', groups: null, scopes: [], tenant: null, models: null, ...NO_LIMIT_CLAIMS }))
      .toThrow(expect.objectContaining({ code: 'ERR_JWT_CLAIM_INVALID' }));
  });

  test('limits from mapped claims; a malformed one refuses the token rather than lift a limit', () => {
    const mapping = { subject: 'sub', groups: null, scopes: [], tenant: null, models: null, rpm: 'limits.rpm', tpm: 'tpm', token_budget: 'budget' };
    expect(principalFromClaims({ ...claims, limits: { rpm: 30 }, budget: '5000/1mo' }, mapping).limits).toEqual({ rpm: 30, token_budget: { tokens: 5000, period: '1mo' } });
    expect(principalFromClaims(claims, mapping).limits).toBeUndefined();
    for (const bad of [{ tpm: '100' }, { tpm: 0 }, { budget: '5000/1w' }]) {
      expect(() => principalFromClaims({ ...claims, ...bad }, mapping)).toThrow(expect.objectContaining({ code: 'ERR_JWT_CLAIM_INVALID' }));
    }
  });

  test('act chains: current actor first; malformed or endless chains are refused', () => {
    expect(actorChain({ sub: 'u' })).toEqual([]);
    expect(actorChain({ sub: 'u', act: { sub: 'b', act: { sub: 'a' } } })).toEqual(['b', 'a']);
    expect(() => actorChain({ act: 'agent' })).toThrow(expect.objectContaining({ code: 'ERR_DELEGATION_INVALID' }));
    let deep: Record<string, unknown> = { sub: 'x' };
    for (let i = 0; i < 10; i++) deep = { sub: `a${i}`, act: deep };
    expect(() => actorChain({ act: deep })).toThrow(expect.objectContaining({ code: 'ERR_DELEGATION_INVALID' }));
  });
});
