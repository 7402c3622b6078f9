import { hash } from 'node:crypto';
import type { KeyRecord } from '../../../src/identity/key-file.js';
import { hashSecret } from '../../../src/identity/key-file.js';
import { KeyIndexBuilder } from '../../../src/identity/key-index.js';

const NOW = Date.UTC(2026, 5, 1);
const record = (id: string, fields: Partial<KeyRecord> = {}): KeyRecord => ({
  id, hash: hashSecret(`secret-${id}`), subject: `svc-${id}`, models: ['gpt-4o*'], scopes: ['tool:search_*'], tools: ['fetch'],
  created_at: '2026-01-01T00:00:00.000Z', expires_at: null, disabled: false, ...fields,
});
const presented = (secret: string) => hash('sha256', secret, 'buffer');

describe('key index', () => {
  test('a key gives the principal its record grants; keys with the same grant share it', () => {
    const builder = new KeyIndexBuilder();
    // Past the builder's first capacity, so its arrays grow.
    for (let i = 0; i < 3000; i++) expect(builder.add(record(String(i).padStart(12, '0')))).toBe(true);
    expect(builder.add(record('000000000007'))).toBe(false);
    const index = builder.build();
    expect(index.size).toBe(3000);
    const [a, b] = ['000000000001', '000000002999'].map((id) => index.principal(index.find(id)!));
    expect(b).toEqual({
      kind: 'api_key', id: 'api_key:svc-000000002999', subject: 'svc-000000002999', keyId: '000000002999', scopes: ['tool:search_*'],
      models: ['gpt-4o*'], tools: ['fetch', 'search_*'], groups: [], expiresAt: undefined,
    });
    expect(Object.isFrozen(b)).toBe(true);
    expect(a.models).toBe(b.models);
    expect(index.principal(index.find('000000000001')!)).toBe(a);
    expect(index.find('000000003000')).toBeUndefined();
  });

  test('hash, rotation grace period, expiry and state', () => {
    const builder = new KeyIndexBuilder();
    builder.add(record('aaaaaaaaaaaa', {
      expires_at: new Date(NOW + 2000).toISOString(), previous: { hash: hashSecret('old'), valid_until: new Date(NOW + 1000).toISOString() },
      limits: { rpm: 5 },
    }));
    builder.add(record('bbbbbbbbbbbb', { disabled: true }));
    const index = builder.build();
    const a = index.find('aaaaaaaaaaaa')!;
    const b = index.find('bbbbbbbbbbbb')!;
    expect([index.matches(a, presented('secret-aaaaaaaaaaaa'), NOW), index.matches(a, presented('old'), NOW), index.matches(a, presented('old'), NOW + 1000)])
      .toEqual([true, true, false]);
    expect(index.matches(a, presented('secret-bbbbbbbbbbbb'), NOW)).toBe(false);
    expect([index.expired(a, NOW + 1999), index.expired(a, NOW + 2000), index.expired(b, Number.MAX_SAFE_INTEGER)]).toEqual([false, true, false]);
    expect([index.disabled(a), index.disabled(b)]).toEqual([false, true]);
    expect(index.principal(a)).toMatchObject({ expiresAt: Math.floor((NOW + 2000) / 1000), limits: { rpm: 5 } });
  });

  test('records() gives back what a check keeps of each record', () => {
    const builder = new KeyIndexBuilder();
    const rotated = record('aaaaaaaaaaaa', {
      expires_at: new Date(NOW).toISOString(), previous: { hash: hashSecret('old'), valid_until: new Date(NOW).toISOString() }, limits: { tpm: 10 },
    });
    builder.add(rotated);
    builder.add(record('bbbbbbbbbbbb', { disabled: true }));
    expect([...builder.build().records()]).toEqual([
      { ...rotated, created_at: '' },
      { ...record('bbbbbbbbbbbb', { disabled: true }), created_at: '' },
    ]);
  });
});
