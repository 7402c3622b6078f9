import type { AppliedLimit } from '../../../src/limits/applicable.js';
import { envoyLimitMetadata, limitHeaders, limitsDocument, limitStatuses } from '../../../src/limits/limit-view.js';

const limit = (name: string, kind: AppliedLimit['kind'], period: AppliedLimit['period'], value: number, shared = false): AppliedLimit =>
  ({ name, source: 'config', kind, period, limit: value, counter: `${name}|x`, shared });
const now = Date.UTC(2026, 0, 1, 12, 0, 15);
const limits = [limit('a.rpm', 'requests', '1m', 10), limit('a.tpm', 'tokens', '1m', 1000), limit('b.budget', 'tokens', '1mo', 5000), limit('s.rpm', 'requests', '1h', 100, true), limit('c.budget', 'tokens', '30d', 10)];

describe('what clients, Envoy and policy are told', () => {
  test('headers name the limit of each kind with least left; a 429 waits for the exceeded limit that frees last', () => {
    const states = [{ used: 9, reserved: 0 }, { used: 100, reserved: 0 }, { used: 4000, reserved: 500 }, { used: 0, reserved: 0 }, { used: 0, reserved: 0 }];
    const refused = limitStatuses({ admitted: false, states, limits, store: 'memory' }, 600, now);
    expect(limitHeaders(refused, 429)).toEqual({
      'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-reset-requests': '45s',
      'x-ratelimit-limit-tokens': '10', 'x-ratelimit-remaining-tokens': '10', 'x-ratelimit-reset-tokens': '131h59m45s', // c.budget: its 30-day window (aligned to the epoch) ends first
      'retry-after': String(Date.UTC(2026, 1, 1) / 1000 - now / 1000),
    });
    const doc = limitsDocument(refused, { admitted: false, states, limits, store: 'memory' }, { prompt: 100, completion: 500, total: 600 });
    expect(doc.exceeded).toMatchObject({ name: 'b.budget', kind: 'tokens' });
  });

  test('an admitted call is counted in what remains; no retry-after on an allow', () => {
    const states = limits.map(() => ({ used: 0, reserved: 0 }));
    const headers = limitHeaders(limitStatuses({ admitted: true, states, limits, store: 'memory' }, 5, now), 200);
    expect(headers['x-ratelimit-remaining-requests']).toBe('9');
    expect(headers['x-ratelimit-remaining-tokens']).toBe('5');
    expect(headers['retry-after']).toBeUndefined();
  });

  test('Envoy metadata: the tightest per-caller limit of each kind in an Envoy unit (no shared, no 30d)', () => {
    const statuses = limitStatuses({ admitted: true, states: limits.map(() => ({ used: 0, reserved: 0 })), limits, store: 'memory' }, 1, now);
    expect(envoyLimitMetadata(statuses)).toEqual({
      tollgate_requests: { requests_per_unit: 10, unit: 'MINUTE' },
      tollgate_tokens: { requests_per_unit: 5000, unit: 'MONTH' },
    });
  });
});
