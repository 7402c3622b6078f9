import { unwatchFile, watchFile } from 'node:fs';
import type { Logger } from 'winston';
import type { TollgateConfig } from '../../config/schema.js';
import { defaultBundlePath } from '../../paths.js';
import { pollDelay } from '../../policy/remote-bundle.js';
import { agree } from './agreement.js';
import type { KeysAnswer, ReloadAnswer } from './messages.js';
import type { WorkerPool } from './worker-pool.js';

/** Beyond the download: reading, verifying and compiling the bundle in a busy worker, and the IPC. */
const LOAD_MARGIN_MS = 10_000;
/** Rounds run again after workers disagree (one read a file mid-write) before /readyz is left at 503 until the next change. */
const MAX_RETRIES = 5;

/**
 * The primary watches the key file and the enforced bundle (or polls the bundle server) for every
 * worker and asks them all to reload at once: workers polling alone read the file at different
 * moments, and one that read it half written kept keys the others had dropped. Each round's answers
 * are compared; while workers disagree the round is retried, and /readyz answers 503 workers_disagree.
 */
export class SharedReloads {
  private readonly watched: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private remoteFailures = 0;

  constructor(private readonly pool: WorkerPool, private readonly config: TollgateConfig, private readonly log: Logger) {}

  start(): void {
    const { keys, policy } = this.config;
    if (keys.file) {
      this.watch(keys.file, keys.poll_interval_ms, async () => settled(await this.reloadKeys(), 'keys_sha256'));
    }
    if (!policy.watch) return;
    if (policy.remote) this.pollRemote();
    else this.watch(policy.bundle ?? defaultBundlePath(), policy.poll_interval_ms, async () => settled(await this.reloadPolicy(), 'policy_sha256'));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const file of this.watched) unwatchFile(file);
  }

  /** Every worker reloads the enforced policy; the answers say what each serves now. */
  async reloadPolicy(): Promise<ReloadAnswer[]> {
    // A worker still downloading or loading is not reported as missing while it may yet apply the bundle.
    const { remote } = this.config.policy;
    const answers = await this.pool.ask<ReloadAnswer>('reload_policy', (remote ? remote.timeout_seconds * 1000 : 0) + LOAD_MARGIN_MS);
    if (!agree(answers, 'policy_sha256')) this.log.error('workers serve different policy bundles after a reload', { workers: answers });
    return answers;
  }

  async reloadKeys(): Promise<KeysAnswer[]> {
    const answers = await this.pool.ask<KeysAnswer>('reload_keys');
    if (!agree(answers, 'keys_sha256')) this.log.error('workers hold different API keys after a reload', { workers: answers });
    return answers;
  }

  /** On every change of the file, a round; again each intervalMs while it does not settle (bounded). */
  private watch(file: string, intervalMs: number, round: () => Promise<boolean>): void {
    this.watched.push(file);
    const run = (attempt: number) => void round().then((done) => {
      if (!done && attempt < MAX_RETRIES && !this.stopped) setTimeout(() => run(attempt + 1), intervalMs).unref();
    });
    watchFile(file, { interval: intervalMs, persistent: false }, () => run(0));
  }

  /** The bundle server on OPA's schedule (see RemoteBundle), every worker polling it at once. */
  private pollRemote(): void {
    const { polling } = this.config.policy.remote!;
    const delayMs = pollDelay(this.remoteFailures, polling.min_delay_seconds * 1000, polling.max_delay_seconds * 1000, Math.random());
    this.timer = setTimeout(() => void this.reloadPolicy().then((answers) => {
      this.remoteFailures = answers.length > 0 && settled(answers, 'policy_sha256') ? 0 : this.remoteFailures + 1;
      if (!this.stopped) this.pollRemote();
    }), delayMs);
    this.timer.unref();
  }
}

/** Every worker reloaded without an error and they all agree. */
function settled<T extends { error?: string }>(answers: readonly T[], field: keyof T): boolean {
  return answers.every((a) => a.error === undefined) && agree(answers, field);
}
