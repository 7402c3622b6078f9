import { createWriteStream } from 'node:fs';
import type { Logger } from 'winston';
import { TollgateError } from '../core/errors.js';
import { AuditSink, type SinkEvents } from './audit-sink.js';
import type { Metrics } from './metrics.js';

export interface AuditTrailOptions {
  /** stdout, or the stream tests read. */
  stream: NodeJS.WritableStream;
  file: string | null;
  /** Per sink: bytes waiting to be written past which records are dropped. */
  maxBufferBytes: number;
  /** While a sink is broken, decisions are denies (ERR_AUDIT_UNAVAILABLE). */
  failClosed: boolean;
  metrics?: Metrics;
  retryMs?: number;
}

/** At most one operational log line per sink and kind of trouble in this period; the metrics count every record. */
const REPORT_EVERY_MS = 10_000;

/** One instance serves every denial: the gate runs per decision and must not allocate. */
const AUDIT_UNAVAILABLE = new TollgateError('ERR_AUDIT_UNAVAILABLE', 'the audit trail cannot be written; denying until it can (log.audit_fail_closed)');

/**
 * Every destination of decision records (stdout, and the audit file when set), each required: the
 * trail is `healthy` only while every sink writes every record. Failures and drops are counted
 * (tollgate_audit_write_failures_total, tollgate_audit_dropped_total), logged at most every 10 s,
 * shown by /readyz, and with `failClosed` turn every decision into a deny.
 */
export class AuditTrail implements SinkEvents {
  readonly sinks: AuditSink[];
  /** Read per decision by the gate: a field, recomputed only when a sink changes state. */
  healthy = true;
  /** The operational logger, once it exists (it writes to the same stdout). */
  log?: Logger;
  private readonly reports = new Map<string, { at: number; count: number }>();

  constructor(private readonly options: AuditTrailOptions) {
    const common = { maxBufferBytes: options.maxBufferBytes, retryMs: options.retryMs ?? 1000, events: this };
    this.sinks = [new AuditSink({ ...common, name: 'stdout', open: () => options.stream, reopenable: false })];
    const file = options.file;
    if (file) this.sinks.push(new AuditSink({ ...common, name: 'file', open: () => createWriteStream(file, { flags: 'a' }), reopenable: true }));
    for (const sink of this.sinks) sink.start();
  }

  /** The pipeline's gate: the error to deny with while the trail is broken and failing closed. */
  readonly gate = (): TollgateError | undefined => (this.healthy || !this.options.failClosed ? undefined : AUDIT_UNAVAILABLE);

  /** Writes `records` newline-terminated lines to every sink. */
  write(text: string, records: number): void {
    for (const sink of this.sinks) sink.write(text, records);
  }

  close(): Promise<void> {
    return Promise.all(this.sinks.map((s) => s.close())).then(() => undefined);
  }

  /** For /readyz: each sink and whether it currently writes every record. */
  status(): Record<string, boolean> {
    return Object.fromEntries(this.sinks.map((s) => [s.name, s.healthy]));
  }

  failed(sink: AuditSink, lost: number, error: Error | undefined): void {
    if (lost > 0) this.options.metrics?.auditWriteFailures.inc({ sink: sink.name }, lost);
    this.report(sink, 'failed', lost, 'audit records could not be written', error);
  }

  dropped(sink: AuditSink, records: number): void {
    this.options.metrics?.auditDropped.inc({ sink: sink.name }, records);
    this.report(sink, 'dropped', records, 'audit records dropped: the destination is not keeping up (log.audit_buffer_bytes)');
  }

  changed(sink: AuditSink): void {
    this.healthy = this.sinks.every((s) => s.healthy);
    if (sink.healthy) this.report(sink, 'recovered', 0, 'audit sink writing every record again');
  }

  private report(sink: AuditSink, kind: string, count: number, message: string, error?: Error): void {
    const key = `${sink.name} ${kind}`;
    const now = Date.now();
    const entry = this.reports.get(key) ?? { at: -Infinity, count: 0 };
    entry.count += count;
    this.reports.set(key, entry);
    if (now - entry.at < REPORT_EVERY_MS) return;
    this.log?.[kind === 'recovered' ? 'info' : 'error'](message, { sink: sink.name, records: entry.count, error: error?.message, fail_closed: this.options.failClosed });
    entry.at = now;
    entry.count = 0;
  }
}
