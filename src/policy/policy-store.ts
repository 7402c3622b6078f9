import { hash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { TollgateError } from '../core/errors.js';
import type { BundleVerifier } from './bundle-signature.js';
import { failureKind, type BundleFailureKind } from './failure-kind.js';
import { RemoteBundle, type RemoteBundleSettings } from './remote-bundle.js';
import { WasmPolicyEngine } from './wasm-engine.js';

export interface PolicyStoreOptions {
  bundlePath: string;
  /** policy.remote: poll a bundle server instead of reading bundlePath. */
  remote?: RemoteBundleSettings;
  entrypoint: string;
  /** Other entrypoints a bundle must have to load (an enabled AuthZEN adapter's). */
  requiredEntrypoints?: readonly string[];
  maxMemoryPages: number;
  pollIntervalMs: number;
  now: () => number;
  /** policy.signing: every bundle must be signed with this key. */
  verifier?: BundleVerifier;
  onLoad?: (engine: WasmPolicyEngine) => void;
  onLoadError?: (err: Error, kind: BundleFailureKind) => void;
  /** A bundle server answered (200 or 304). */
  onDownload?: () => void;
}

/** Holds the serving policy; a new bundle (file change or download) replaces it only if it is good. */
export class PolicyStore {
  private engine: WasmPolicyEngine | undefined;
  /** SHA-256 of the serving bundle: two bundles may carry the same revision, cluster workers compare this. */
  private engineSha256: string | null = null;
  private loading: Promise<unknown> = Promise.resolve();
  private readonly remote?: RemoteBundle;

  constructor(private readonly options: PolicyStoreOptions) {
    if (options.remote) {
      this.remote = new RemoteBundle(options.remote, {
        activate: (bytes) => this.activate(bytes),
        downloaded: () => options.onDownload?.(),
        failed: (err, kind) => options.onLoadError?.(err, kind),
      });
    }
  }

  current(): WasmPolicyEngine | undefined {
    return this.engine;
  }

  get sha256(): string | null {
    return this.engineSha256;
  }

  /**
   * First load. A local file that cannot be loaded throws, so a bad bundle at start stops the process;
   * a remote source never throws (the persisted bundle, or not ready until the server answers).
   */
  async load(): Promise<WasmPolicyEngine | undefined> {
    if (this.remote) {
      await this.remote.start();
      return this.engine;
    }
    return this.activate(this.readFile());
  }

  /** Later loads: never throws; a bad bundle leaves the last good one serving and is the answer (null when all went well). */
  async reload(): Promise<Error | null> {
    if (this.remote) return this.remote.poll();
    try {
      await this.activate(this.readFile());
      return null;
    } catch (err) {
      this.options.onLoadError?.(err as Error, failureKind(err));
      return err as Error;
    }
  }

  /** Loads and swaps in one bundle; throws and changes nothing when it is refused. Loads are serialised. */
  activate(bytes: Uint8Array): Promise<WasmPolicyEngine> {
    const next = this.loading.then(async () => {
      const engine = await WasmPolicyEngine.fromBundle(bytes, {
        entrypoint: this.options.entrypoint,
        requiredEntrypoints: this.options.requiredEntrypoints,
        maxMemoryPages: this.options.maxMemoryPages,
        now: this.options.now,
        verifier: this.options.verifier,
      });
      // Decisions already running hold the old engine and finish on it; the next one takes this.
      this.engine = engine;
      this.engineSha256 = hash('sha256', bytes);
      this.options.onLoad?.(engine);
      return engine;
    });
    this.loading = next.catch(() => undefined);
    return next;
  }

  watch(): void {
    if (this.remote) {
      this.remote.watch();
      return;
    }
    watchFile(this.options.bundlePath, { interval: this.options.pollIntervalMs, persistent: false }, (curr, prev) => {
      if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size) void this.reload();
    });
  }

  close(): void {
    this.remote?.close();
    unwatchFile(this.options.bundlePath);
  }

  private readFile(): Buffer {
    try {
      return readFileSync(this.options.bundlePath);
    } catch (err) {
      throw new TollgateError('ERR_BUNDLE_UNREADABLE', `cannot read policy bundle ${this.options.bundlePath}: ${(err as Error).message}`, { cause: err });
    }
  }
}
