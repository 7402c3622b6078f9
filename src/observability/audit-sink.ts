import type { Writable } from 'node:stream';

/** What a sink reports to the audit trail; called on the failure path only. */
export interface SinkEvents {
  /** `lost` records were not written because the destination failed. */
  failed(sink: AuditSink, lost: number, error: Error | undefined): void;
  /** `records` were dropped because `maxBufferBytes` were already waiting to be written. */
  dropped(sink: AuditSink, records: number): void;
  /** `healthy` changed. */
  changed(sink: AuditSink): void;
}

export interface AuditSinkOptions {
  name: string;
  /** Opens (or, when `reopenable`, reopens after a failure) the destination. */
  open: () => NodeJS.WritableStream;
  /** A file is reopened after a failure; stdout cannot be, and is never ended by the sink. */
  reopenable: boolean;
  /** Bytes allowed to wait in the destination's buffer; past it records are dropped, so memory stays bounded. */
  maxBufferBytes: number;
  /** How long a failed reopenable destination waits before it is reopened. */
  retryMs: number;
  events: SinkEvents;
}

/**
 * One destination of audit lines. It never throws and never buffers without bound: a record it cannot write is counted
 * (failed or dropped) and `healthy` says whether the trail is complete right now. A failed file is
 * reopened every `retryMs`; the first line after a gap is an `audit_gap` record naming how many
 * records were lost, and the sink is healthy again only once that line was written.
 */
export class AuditSink {
  healthy = true;
  private stream: NodeJS.WritableStream | null = null;
  /** Records are not written (the destination failed and is not reopened yet). */
  private broken = false;
  /** Over maxBufferBytes: records are dropped until the destination drains. */
  private congested = false;
  /** Reopened, the gap record not yet confirmed written. */
  private probing = false;
  private lostSince = 0;
  private brokenAt = '';
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly onDrain = (): void => {
    this.congested = false;
    this.update();
  };
  private readonly onError = (err: Error): void => this.fail(0, err);

  constructor(private readonly options: AuditSinkOptions) {}

  /** Opens the destination; separate from the constructor so the trail knows its sinks before any event. */
  start(): void {
    this.attach();
  }

  get name(): string {
    return this.options.name;
  }

  /** Stops retrying; closes a file (stdout is not ours to close). */
  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const stream = this.stream;
    if (!stream || !this.options.reopenable) return Promise.resolve();
    return new Promise((resolve) => stream.end(() => resolve()));
  }

  /** Writes `records` lines (`text`, newline-terminated) at once, or counts them as failed or dropped. */
  write(text: string, records: number): void {
    const stream = this.stream;
    if (this.broken || !stream) {
      this.fail(records, undefined);
      return;
    }
    if ((stream as Writable).writableLength > this.options.maxBufferBytes) {
      if (!this.congested) {
        this.congested = true;
        stream.once('drain', this.onDrain);
        this.update();
      }
      this.options.events.dropped(this, records);
      return;
    }
    // One write per event-loop turn (AuditLog batches), so one callback per batch is cheap.
    stream.write(text, (err?: Error | null) => {
      if (err) this.fail(records, err);
    });
  }

  private attach(): void {
    try {
      this.stream = this.options.open();
    } catch (err) {
      this.stream = null;
      this.fail(0, err as Error);
      return;
    }
    this.stream.on('error', this.onError);
  }

  private fail(lost: number, error: Error | undefined): void {
    if (!this.broken) {
      this.broken = true;
      this.probing = false;
      if (this.lostSince === 0) this.brokenAt = new Date().toISOString();
      this.update();
    }
    this.lostSince += lost;
    this.scheduleReopen();
    this.options.events.failed(this, lost, error);
  }

  private scheduleReopen(): void {
    if (this.retry || !this.options.reopenable || this.closed) return;
    this.retry = setTimeout(() => this.reopen(), this.options.retryMs);
    this.retry.unref();
  }

  /** Reopens the destination and writes the gap record; only that write succeeding makes the sink healthy. */
  private reopen(): void {
    this.retry = undefined;
    const old = this.stream;
    old?.removeListener('error', this.onError);
    (old as Writable | null)?.destroy();
    this.stream = null;
    this.congested = false;
    this.attach();
    const stream = this.stream as NodeJS.WritableStream | null;
    if (!stream) return; // attach() failed and scheduled the next attempt
    const reported = this.lostSince;
    const gap = { timestamp: new Date().toISOString(), log_type: 'audit_gap', sink: this.name, since: this.brokenAt, lost_records: reported };
    // Records written while the gap line is pending follow it; if it fails they fail too and are counted.
    this.broken = false;
    this.probing = true;
    stream.write(`${JSON.stringify(gap)}\n`, (err?: Error | null) => {
      if (err || this.stream !== stream) return; // the error listener has already scheduled the next attempt
      this.probing = false;
      this.lostSince -= reported;
      this.update();
    });
  }

  private update(): void {
    const healthy = !this.broken && !this.congested && !this.probing;
    if (healthy === this.healthy) return;
    this.healthy = healthy;
    this.options.events.changed(this);
  }
}
