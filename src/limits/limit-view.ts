import type { AppliedLimit, LimitKind } from './applicable.js';
import type { AdmissionResult } from './limit-store.js';
import { goDuration, windowOf, type Period } from './periods.js';

/** One applicable limit as policy, headers and metadata see it. */
export interface LimitStatus {
  name: string;
  source: AppliedLimit['source'];
  kind: LimitKind;
  period: Period;
  limit: number;
  used: number;
  reserved: number;
  /** What is left once this request is counted (when admitted); never below 0. */
  remaining: number;
  resetMs: number;
  /** True when this request did not fit. */
  exceeded: boolean;
  shared: boolean;
}

export function limitStatuses(result: AdmissionResult, tokens: number, nowMs: number): LimitStatus[] {
  return result.limits.map((l, i) => {
    const { used, reserved } = result.states[i];
    const cost = l.kind === 'requests' ? 1 : tokens;
    const left = l.limit - used - reserved;
    return {
      name: l.name, source: l.source, kind: l.kind, period: l.period, limit: l.limit, used, reserved,
      remaining: Math.max(0, left - (result.admitted ? cost : 0)),
      resetMs: windowOf(l.period, nowMs).endMs - nowMs,
      exceeded: cost > left,
      shared: l.shared,
    };
  });
}

/** The limit a client should hear about: the one with least left, the later reset on a tie. */
export function mostConstrained(statuses: readonly LimitStatus[], kind: LimitKind): LimitStatus | undefined {
  let best: LimitStatus | undefined;
  for (const s of statuses) {
    if (s.kind !== kind) continue;
    if (!best || s.remaining < best.remaining || (s.remaining === best.remaining && s.resetMs > best.resetMs)) best = s;
  }
  return best;
}

/** The exceeded limit that is free again last: what retry-after waits for. */
export function binding(statuses: readonly LimitStatus[]): LimitStatus | undefined {
  return statuses.filter((s) => s.exceeded).sort((a, b) => b.resetMs - a.resetMs)[0];
}

/** OpenAI's headers for the most constrained requests and tokens limits; retry-after on a 429. */
export function limitHeaders(statuses: readonly LimitStatus[], status: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of ['requests', 'tokens'] as const) {
    const s = mostConstrained(statuses, kind);
    if (!s) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(s.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(s.remaining);
    headers[`x-ratelimit-reset-${kind}`] = goDuration(s.resetMs);
  }
  const exceeded = binding(statuses);
  if (status === 429 && exceeded) headers['retry-after'] = String(Math.max(1, Math.ceil(exceeded.resetMs / 1000)));
  return headers;
}

const ENVOY_UNITS: Partial<Record<Period, string>> = { '1m': 'MINUTE', '1h': 'HOUR', '1d': 'DAY', '1mo': 'MONTH' };

/**
 * Envoy Gateway global rate limiting reads a per-caller limit from ext_authz dynamic metadata
 * (`limit.fromMetadata`): {"tollgate_requests": {"requests_per_unit": N, "unit": "MINUTE"}} and the
 * same under tollgate_tokens. The tightest per-caller limit of each kind whose period is an Envoy unit.
 */
export function envoyLimitMetadata(statuses: readonly LimitStatus[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kind of ['requests', 'tokens'] as const) {
    const candidates = statuses.filter((s) => s.kind === kind && ENVOY_UNITS[s.period] && !s.shared);
    const tightest = candidates.sort((a, b) => perMinute(a) - perMinute(b))[0];
    if (tightest) out[`tollgate_${kind}`] = { requests_per_unit: tightest.limit, unit: ENVOY_UNITS[tightest.period] };
  }
  return out;
}

const MINUTES: Record<Period, number> = { '1m': 1, '1h': 60, '1d': 1440, '30d': 43_200, '1mo': 43_200 };

function perMinute(s: LimitStatus): number {
  return s.limit / MINUTES[s.period];
}

/** input.limits (docs/policy-input.md). */
export function limitsDocument(statuses: readonly LimitStatus[], result: AdmissionResult, estimate: { prompt: number; completion: number; total: number }): Record<string, unknown> {
  const exceeded = binding(statuses);
  return {
    admitted: result.admitted,
    exceeded: exceeded
      ? { name: exceeded.name, kind: exceeded.kind, limit: exceeded.limit, period: exceeded.period, retry_after_s: Math.max(1, Math.ceil(exceeded.resetMs / 1000)) }
      : null,
    estimate: { prompt_tokens: estimate.prompt, completion_tokens: estimate.completion, total_tokens: estimate.total },
    store: result.store,
    applied: statuses.map((s) => ({
      name: s.name, source: s.source, kind: s.kind, period: s.period, limit: s.limit,
      used: s.used, reserved: s.reserved, remaining: s.remaining, reset_s: Math.ceil(s.resetMs / 1000),
    })),
  };
}
