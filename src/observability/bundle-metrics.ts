import { Counter, Gauge, type Registry } from 'prom-client';
import type { DecisionObserver } from '../core/pipeline-ports.js';
import type { AuthzRequest, Decision } from '../core/types.js';

/** The policy lifecycle's metrics (names others build dashboards on: keep them). */
export class BundleMetrics implements DecisionObserver {
  readonly active: Gauge<'revision'>;
  readonly lastDownload: Gauge;
  readonly lastActivation: Gauge;
  readonly failures: Counter<'kind'>;
  readonly shadowDivergence: Counter<'enforced' | 'shadow'>;
  readonly dryRunDenied: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    // server.workers: 1 for every revision some worker serves (two while a reload is reaching them all), latest times.
    const aggregator = 'max';
    this.active = new Gauge({ name: 'tollgate_bundle_active_info', help: 'The serving bundle: 1 for its revision.', labelNames: ['revision'], registers, aggregator });
    this.lastDownload = new Gauge({ name: 'tollgate_bundle_last_download_timestamp_seconds', help: 'When the bundle server last answered (200 or 304), Unix seconds.', registers, aggregator });
    this.lastActivation = new Gauge({ name: 'tollgate_bundle_last_activation_timestamp_seconds', help: 'When a bundle last became the serving one, Unix seconds.', registers, aggregator });
    this.failures = new Counter({
      name: 'tollgate_bundle_failures_total',
      help: 'Bundles that did not become the serving one, by kind (download, http_status, unreadable, invalid, signature, entrypoint, builtins, persist, other).',
      labelNames: ['kind'], registers,
    });
    this.shadowDivergence = new Counter({
      name: 'tollgate_shadow_divergence_total',
      help: 'Decisions where the shadow bundle disagreed with the enforced one, by each one\'s result (allow or deny).',
      labelNames: ['enforced', 'shadow'], registers,
    });
    this.dryRunDenied = new Counter({ name: 'tollgate_dry_run_denied_total', help: 'Requests policy.mode dry_run allowed that the policy would have denied.', registers });
  }

  onDecision(_req: AuthzRequest, d: Decision): void {
    if (d.shadow) this.shadowDivergence.inc({ enforced: d.allow ? 'allow' : 'deny', shadow: d.shadow.result });
    if (d.dryRun) this.dryRunDenied.inc();
  }

  activated(revision: string, nowMs: number): void {
    this.active.reset();
    this.active.set({ revision }, 1);
    this.lastActivation.set(nowMs / 1000);
  }
}
