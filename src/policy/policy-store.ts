import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { TollgateError } from '../core/errors.js';
import { WasmPolicyEngine } from './wasm-engine.js';

export interface PolicyStoreOptions {
  bundlePath: string;
  entrypoint: string;
  /** Other entrypoints a bundle must have to load (an enabled AuthZEN adapter's). */
  requiredEntrypoints?: readonly string[];
  maxMemoryPages: number;
  pollIntervalMs: number;
  now: () => number;
  onLoad?: (engine: WasmPolicyEngine) => void;
  onLoadError?: (err: Error) => void;
}

/** Holds the serving policy; on a file change it loads the new bundle and swaps only if it is good. */
export class PolicyStore {
  private engine: WasmPolicyEngine | undefined;
  private reloading = Promise.resolve();

  constructor(private readonly options: PolicyStoreOptions) {}

  current(): WasmPolicyEngine | undefined {
    return this.engine;
  }

  /** First load: throws, so a bad bundle at start stops the process. */
  async load(): Promise<WasmPolicyEngine> {
    const engine = await this.build();
    this.engine = engine;
    this.options.onLoad?.(engine);
    return engine;
  }

  /** Later loads: never throws; a bad bundle leaves the last good one serving. Reloads are serialised. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      try {
        await this.load();
      } catch (err) {
        this.options.onLoadError?.(err as Error);
      }
    });
    return this.reloading;
  }

  watch(): void {
    watchFile(this.options.bundlePath, { interval: this.options.pollIntervalMs, persistent: false }, (curr, prev) => {
      if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size) void this.reload();
    });
  }

  close(): void {
    unwatchFile(this.options.bundlePath);
  }

  private async build(): Promise<WasmPolicyEngine> {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.options.bundlePath);
    } catch (err) {
      throw new TollgateError('ERR_BUNDLE_UNREADABLE', `cannot read policy bundle ${this.options.bundlePath}: ${(err as Error).message}`, { cause: err });
    }
    return WasmPolicyEngine.fromBundle(bytes, {
      entrypoint: this.options.entrypoint,
      requiredEntrypoints: this.options.requiredEntrypoints,
      maxMemoryPages: this.options.maxMemoryPages,
      now: this.options.now,
    });
  }
}
