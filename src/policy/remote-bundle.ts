import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { downloadBundle, DownloadFailure, type DownloadSettings } from './bundle-download.js';
import { failureKind, type BundleFailureKind } from './failure-kind.js';

export interface RemoteBundleSettings extends DownloadSettings {
  minDelayMs: number;
  maxDelayMs: number;
  /** Where the last activated bundle is kept, to start from when the server is down; null = not kept. */
  persistDir: string | null;
}

export interface RemoteBundleEvents {
  /** Loads and swaps the bundle; throws (and changes nothing) when it is refused. */
  activate(bytes: Buffer): Promise<unknown>;
  downloaded(): void;
  failed(err: Error, kind: BundleFailureKind): void;
}

/** OPA's first retry delay after a failure; it doubles per failure up to max_delay_seconds. */
const FIRST_RETRY_MS = 100;

/**
 * The wait before the next poll, as OPA's downloader waits: a uniform draw in [min, max] while all is
 * well; after the n-th failure in a row, 0.1 s doubling per failure, capped at max, jittered down to half.
 */
export function pollDelay(failures: number, minMs: number, maxMs: number, random: number): number {
  if (failures === 0) return minMs + random * (maxMs - minMs);
  return Math.min(maxMs, FIRST_RETRY_MS * 2 ** (failures - 1)) * (0.5 + random / 2);
}

/**
 * Polls a bundle server as OPA does: a conditional GET after a random delay between min and max,
 * exponential backoff after failures. Only a bundle that downloads, verifies and loads replaces the
 * serving one (and is persisted); every failure leaves the last good bundle serving.
 */
export class RemoteBundle {
  private etag: string | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<Error | null> | undefined;
  private closed = false;
  private active = false;

  constructor(private readonly settings: RemoteBundleSettings, private readonly events: RemoteBundleEvents, private readonly random = Math.random) {}

  /** The first bundle: from the server, else the persisted one. Never throws: without either, Tollgate is not ready and keeps polling. */
  async start(): Promise<void> {
    await this.poll();
    if (this.active) return;
    const persisted = this.persisted();
    if (!persisted) return;
    try {
      await this.events.activate(persisted);
      this.active = true;
    } catch (err) {
      this.events.failed(err as Error, failureKind(err));
    }
  }

  /** One download now (admin reload, the timer); polls never overlap. Null when the server answered and nothing was refused, else the failure. */
  poll(): Promise<Error | null> {
    this.inFlight ??= this.fetchAndActivate().finally(() => { this.inFlight = undefined; });
    return this.inFlight;
  }

  watch(): void {
    this.schedule();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private async fetchAndActivate(): Promise<Error | null> {
    try {
      const download = await downloadBundle(this.settings, this.etag);
      // Closed while downloading (shutdown): nothing more is activated or reported; the loggers may be gone.
      if (this.closed) return new Error('closed while downloading');
      this.events.downloaded();
      if (download.changed) {
        await this.events.activate(download.bytes);
        this.active = true;
        this.etag = download.etag;
        this.persist(download.bytes);
      }
      this.failures = 0;
      return null;
    } catch (err) {
      this.failures++;
      if (!this.closed) this.events.failed(err as Error, err instanceof DownloadFailure ? err.kind : failureKind(err));
      return err as Error;
    }
  }

  private schedule(): void {
    if (this.closed) return;
    const delay = pollDelay(this.failures, this.settings.minDelayMs, this.settings.maxDelayMs, this.random());
    this.timer = setTimeout(() => void this.poll().then(() => this.schedule()), delay);
    this.timer.unref();
  }

  private persisted(): Buffer | undefined {
    if (!this.settings.persistDir) return undefined;
    try {
      return readFileSync(path.join(this.settings.persistDir, 'bundle.tar.gz'));
    } catch {
      return undefined;
    }
  }

  /** Written beside and renamed over, so a crash mid-write never leaves half a bundle to start from. */
  private persist(bytes: Buffer): void {
    const dir = this.settings.persistDir;
    if (!dir) return;
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = path.join(dir, `.bundle.tar.gz.${process.pid}`);
      writeFileSync(tmp, bytes);
      renameSync(tmp, path.join(dir, 'bundle.tar.gz'));
    } catch (err) {
      this.events.failed(err as Error, 'persist');
    }
  }
}
