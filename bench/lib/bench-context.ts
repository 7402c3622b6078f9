import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cpuBusyPercent } from './machine.js';
import type { HttpRequestSpec, LoadResult } from './load-result.js';
import type { ScenarioResult, ServerKind } from './scenario-result.js';
import type { ServerProcess } from './server-process.js';
import type { Placement } from './servers.js';
import { runWrk } from './wrk.js';

/** How every measured run is loaded and placed: the bench's and the profiler's alike. */
export interface LoadRunOptions {
  root: string;
  /** Measured seconds per load run. */
  durationS: number;
  /** Unrecorded load before each measured run, in chunks of this many seconds (0: none). */
  warmupS: number;
  /**
   * Warm-up goes on, chunk after chunk, until a chunk's p99 is within 5x its p50 or this many
   * seconds have passed: V8 compiling JS and Wasm on the server's single core makes the first
   * ~10 s of a Node server's life a latency tail that is not its steady state.
   */
  maxWarmupS: number;
  connections: number;
  serverCpus: string;
  loadCpus: string;
}

export interface BenchOptions extends LoadRunOptions {
  opa: string;
  /** Scenario ids (or id prefixes) to run; all when empty. */
  only: string[];
  /** Sizes for the cost-growth scenarios. */
  subjectCounts: number[];
  keyCounts: number[];
  /** outcomes.remember_decisions for the decisions-served scenario, which serves 3x as many. */
  rememberDecisions: number;
  /** Longest the decisions-served scenario may spend serving those decisions. */
  maxFillS: number;
}

/** What every scenario gets: options, a scratch directory, server placement, and the result list. */
export class BenchContext {
  readonly results: ScenarioResult[] = [];
  readonly workDir = mkdtempSync(path.join(tmpdir(), 'tollgate-bench-'));
  readonly place: Placement;

  constructor(readonly options: BenchOptions) {
    this.place = { root: options.root, logDir: this.workDir, serverCpus: options.serverCpus };
  }

  wanted(id: string): boolean {
    return this.options.only.length === 0 || this.options.only.some((p) => id.startsWith(p));
  }

  /** Warms up, then runs wrk once and records throughput, latency and the server's RSS. */
  async measure(
    meta: { id: string; group: string; title: string; server: ServerKind },
    proc: ServerProcess,
    spec: HttpRequestSpec,
    facts?: ScenarioResult['facts'],
  ): Promise<ScenarioResult> {
    const { durationS, warmupS, connections, loadCpus } = this.options;
    const warmedS = await this.warmUp(() => runWrk(spec, { durationS: warmupS, connections, cpus: loadCpus }));
    const backgroundCpu = await cpuBusyPercent(500);
    const cpuBefore = proc.cpuSeconds();
    const load = await runWrk(spec, { durationS, connections, cpus: loadCpus });
    const cpuUsPerRequest = ((proc.cpuSeconds() - cpuBefore) * 1e6) / Math.max(1, load.requests);
    const result: ScenarioResult = { ...meta, load, cpuUsPerRequest, rssMiB: proc.rssMiB(), peakRssMiB: proc.peakRssMiB(), backgroundCpu, facts: { warmup_s: warmedS, ...facts } };
    this.results.push(result);
    return result;
  }

  /** Runs warm-up chunks until latency is steady (see maxWarmupS); returns the seconds spent. */
  async warmUp(chunk: () => Promise<LoadResult>): Promise<number> {
    return warmUpUntilSteady(chunk, this.options.warmupS, this.options.maxWarmupS);
  }

  notMeasured(meta: { id: string; group: string; title: string; server: ServerKind }, reason: string): void {
    this.results.push({ ...meta, notMeasured: reason });
  }

  find(id: string): ScenarioResult | undefined {
    return this.results.find((r) => r.id === id && r.load);
  }

  dispose(): void {
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

/** Runs warm-up chunks of `chunkS` until a chunk's p99 is within 5x its p50 or `maxS` would pass; returns the seconds spent. */
export async function warmUpUntilSteady(chunk: () => Promise<LoadResult>, chunkS: number, maxS: number): Promise<number> {
  if (chunkS <= 0) return 0;
  const started = Date.now();
  for (;;) {
    const load = await chunk();
    const elapsedS = (Date.now() - started) / 1000;
    if (load.p99Ms <= 5 * load.p50Ms || elapsedS + chunkS > maxS) return Math.round(elapsedS);
  }
}

/** Starts a server, runs `body` against it, and always stops it. */
export async function withServer<S extends ServerProcess, T>(starting: Promise<S>, body: (server: S) => Promise<T>): Promise<T> {
  const server = await starting;
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}
