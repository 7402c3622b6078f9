import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DecisionObserver } from '../core/pipeline-ports.js';
import type { AuthzRequest, Decision } from '../core/types.js';
import { BundleMetrics } from './bundle-metrics.js';
import { decisionResult } from './decision-result.js';

/** Policies may invent reason codes; past this many distinct ones, new ones are counted as "other". */
const MAX_REASON_LABELS = 64;

/** What identity counts: API key file loads and each issuer's JWKS. */
export type IdentityMetrics = Pick<Metrics, 'keysLoaded' | 'keyReloads' | 'jwksFetches' | 'jwksKeys'>;

export class Metrics implements DecisionObserver {
  readonly registry = new Registry();
  readonly decisions = new Counter({
    name: 'tollgate_decisions_total',
    help: 'Authorization decisions by gateway, result and reason code.',
    labelNames: ['gateway', 'result', 'reason'] as const,
    registers: [this.registry],
  });
  readonly decisionDuration = new Histogram({
    name: 'tollgate_decision_duration_seconds',
    help: 'Time to reach a decision inside Tollgate (authentication + policy), by gateway.',
    labelNames: ['gateway'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly policyReloads = new Counter({
    name: 'tollgate_policy_reloads_total',
    help: 'Policy bundle (re)loads by result.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly keysLoaded = new Gauge({
    name: 'tollgate_api_keys_loaded',
    help: 'API keys in the key file currently loaded.',
    // server.workers: each worker loads the same file; the least shows one that has not reloaded yet.
    aggregator: 'min',
    registers: [this.registry],
  });
  readonly keyReloads = new Counter({
    name: 'tollgate_keys_reloads_total',
    help: 'Key file re-reads by result; a failure keeps only last good keys the new file still has unchanged, with its revocations.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly jwksFetches = new Counter({
    name: 'tollgate_jwks_fetches_total',
    help: 'JWKS and OIDC discovery fetches by issuer and result; failures keep the last good keys serving.',
    labelNames: ['issuer', 'result'] as const,
    registers: [this.registry],
  });
  readonly jwksKeys = new Gauge({
    name: 'tollgate_jwks_keys',
    help: 'Keys in the last good JWKS of each issuer.',
    labelNames: ['issuer'] as const,
    aggregator: 'min',
    registers: [this.registry],
  });
  readonly auditWriteFailures = new Counter({
    name: 'tollgate_audit_write_failures_total',
    help: 'Audit records a destination failed to write (disk full, unwritable file, closed stdout), by sink.',
    labelNames: ['sink'] as const,
    registers: [this.registry],
  });
  readonly auditDropped = new Counter({
    name: 'tollgate_audit_dropped_total',
    help: 'Audit records dropped because the destination was not keeping up (log.audit_buffer_bytes waiting), by sink.',
    labelNames: ['sink'] as const,
    registers: [this.registry],
  });
  readonly bundles = new BundleMetrics(this.registry);
  readonly limitDenials = new Counter({
    name: 'tollgate_limit_denials_total',
    help: 'Model calls denied with a 429 because a request or token limit had no room, by kind of limit.',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });
  readonly limitsStoreErrors = new Counter({
    name: 'tollgate_limits_store_errors_total',
    help: 'Limit store (Redis) commands that failed or timed out.',
    registers: [this.registry],
  });
  readonly limitsLocalFallback = new Gauge({
    name: 'tollgate_limits_local_fallback',
    help: '1 while limits are enforced on this replica alone (Redis unavailable, limits.on_store_failure: local_fallback).',
    aggregator: 'max',
    registers: [this.registry],
  });
  private readonly reasons = new Set<string>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  onDecision(req: AuthzRequest, d: Decision): void {
    this.decisions.inc({ gateway: req.gateway, result: decisionResult(req, d), reason: this.boundedReason(d.reason) });
    this.decisionDuration.observe({ gateway: req.gateway }, d.durationMs / 1000);
  }

  private boundedReason(reason: string): string {
    if (this.reasons.has(reason)) return reason;
    if (this.reasons.size >= MAX_REASON_LABELS) return 'other';
    this.reasons.add(reason);
    return reason;
  }
}
