import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'winston';
import { isLoopback } from '../common/loopback.js';
import type { DecisionLogsConfig } from '../config/decision-logs-schema.js';
import type { DecisionObserver } from '../core/pipeline-ports.js';
import type { AuthzRequest, Decision } from '../core/types.js';
import { decisionResult } from './decision-result.js';
import { recordedInput } from './recorded-input.js';

export interface ShipperOptions {
  config: DecisionLogsConfig;
  /** The decision entrypoint: the event's `path`. */
  path: string;
  version: string;
  registry: Registry;
  log: Logger;
  now?: () => number;
}

/** At most one log line per this period about dropped events; the metric counts every one. */
const REPORT_EVERY_MS = 10_000;

/**
 * Uploads decision events in OPA's decision-log shape (decision_id, path, input when recorded,
 * result, bundles, timestamp, labels, metrics) to a collector: gzip JSON arrays, POSTed in order.
 * Events stay buffered until the collector acknowledges them (2xx); a failed upload is retried with
 * exponential backoff. The buffer is bounded: past max_buffer_records the oldest events are dropped,
 * counted and logged, so a collector outage costs memory up to that bound and nothing else.
 */
export class DecisionLogShipper implements DecisionObserver {
  private readonly buffer: Array<{ seq: number; line: string }> = [];
  private seq = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private droppedSinceReport = 0;
  private lastReport = -Infinity;
  private readonly dropped: Counter;
  private readonly uploads: Counter<'result'>;
  private readonly labels: Record<string, string>;
  private readonly now: () => number;

  constructor(private readonly options: ShipperOptions) {
    const registers = [options.registry];
    this.dropped = new Counter({ name: 'tollgate_decision_logs_dropped_total', help: 'Decision events dropped before upload because the buffer was full (decision_logs.max_buffer_records).', registers });
    this.uploads = new Counter({ name: 'tollgate_decision_logs_uploads_total', help: 'Decision-log uploads by result.', labelNames: ['result'], registers });
    this.labels = { ...options.config.labels, id: randomUUID(), version: options.version };
    this.now = options.now ?? Date.now;
    const url = new URL(options.config.url ?? '');
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) throw new Error(`decision_logs.url ${url.href}: events travel over https (http only to loopback)`);
  }

  onDecision(req: AuthzRequest, d: Decision): void {
    const { config } = this.options;
    const event = {
      labels: this.labels,
      decision_id: d.decisionId,
      path: this.options.path,
      ...(d.policyInput && { input: recordedInput(d.policyInput) }),
      result: { allow: d.allow, status: d.status, reason: d.reason, result: decisionResult(req, d), ...(d.errorCode && { error_code: d.errorCode }) },
      bundles: { tollgate: { revision: d.policyRevision } },
      requested_by: req.source.address ?? req.transportPeer ?? '',
      timestamp: new Date(this.now()).toISOString(),
      metrics: { timer_tollgate_decision_ns: Math.round(d.durationMs * 1e6) },
    };
    this.buffer.push({ seq: ++this.seq, line: JSON.stringify(event) });
    if (this.buffer.length > config.max_buffer_records) this.drop(this.buffer.length - config.max_buffer_records);
  }

  start(): void {
    this.schedule(this.options.config.flush_interval_ms);
  }

  /** Stops the timer and makes one last attempt to upload what is buffered. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.flushing;
    if (this.buffer.length > 0) await this.flush();
  }

  /** Uploads batches until the buffer is empty or an upload fails. */
  flush(): Promise<void> {
    this.flushing ??= this.uploadAll().finally(() => { this.flushing = undefined; });
    return this.flushing;
  }

  private async uploadAll(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.nextBatch();
      try {
        await this.post(`[${batch.map((e) => e.line).join(',')}]`);
      } catch (err) {
        this.failures++;
        this.uploads.inc({ result: 'failure' });
        if (this.failures === 1 || this.failures % 10 === 0) this.options.log.warn('decision log upload failed; keeping the events and retrying', { error: (err as Error).message, failures: this.failures, buffered: this.buffer.length });
        return;
      }
      this.failures = 0;
      this.uploads.inc({ result: 'success' });
      // Oldest events may have been dropped while the upload ran: remove only what was acknowledged.
      const last = batch[batch.length - 1].seq;
      while (this.buffer.length > 0 && this.buffer[0].seq <= last) this.buffer.shift();
    }
  }

  private nextBatch(): Array<{ seq: number; line: string }> {
    const batch = [this.buffer[0]];
    let bytes = this.buffer[0].line.length + 2;
    for (let i = 1; i < this.buffer.length; i++) {
      bytes += this.buffer[i].line.length + 1;
      if (bytes > this.options.config.max_batch_bytes) break;
      batch.push(this.buffer[i]);
    }
    return batch;
  }

  private async post(json: string): Promise<void> {
    const { config } = this.options;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-encoding': 'gzip', ...config.headers };
    if (config.token_file) headers.authorization = `Bearer ${readFileSync(config.token_file, 'utf8').trim()}`;
    const res = await fetch(config.url!, { method: 'POST', headers, body: gzipSync(json), signal: AbortSignal.timeout(config.timeout_ms), redirect: 'error' });
    await res.arrayBuffer();
    if (res.status < 200 || res.status > 299) throw new Error(`${config.url}: HTTP ${res.status}`);
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.flush().then(() => this.schedule(this.nextDelay())), delayMs);
    this.timer.unref();
  }

  private nextDelay(): number {
    const { flush_interval_ms, min_retry_delay_ms, max_retry_delay_ms } = this.options.config;
    if (this.failures === 0) return flush_interval_ms;
    return Math.min(max_retry_delay_ms, min_retry_delay_ms * 2 ** (this.failures - 1));
  }

  private drop(count: number): void {
    this.buffer.splice(0, count);
    this.dropped.inc(count);
    this.droppedSinceReport += count;
    if (this.now() - this.lastReport < REPORT_EVERY_MS) return;
    this.options.log.error('decision log buffer full; dropped the oldest events (decision_logs.max_buffer_records)', { dropped: this.droppedSinceReport, buffered: this.buffer.length });
    this.lastReport = this.now();
    this.droppedSinceReport = 0;
  }
}
