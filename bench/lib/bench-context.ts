import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cpuBusyPercent } from './machine.js';
import type { HttpRequestSpec } from './load-result.js';
import type { ScenarioResult, ServerKind } from './scenario-result.js';
import type { ServerProcess } from './server-process.js';
import type { Placement } from './servers.js';
import { runWrk } from './wrk.js';

export interface BenchOptions {
  root: string;
  opa: string;
  /** Measured seconds per load run. */
  durationS: number;
  /** Unrecorded load before each measured run, so the JIT has warmed up. */
  warmupS: number;
  connections: number;
  serverCpus: string;
  loadCpus: string;
  /** Scenario ids (or id prefixes) to run; all when empty. */
  only: string[];
  /** Sizes for the cost-growth scenarios. */
  subjectCounts: number[];
  keyCounts: number[];
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
    if (warmupS > 0) await runWrk(spec, { durationS: warmupS, connections, cpus: loadCpus });
    const backgroundCpu = await cpuBusyPercent(500);
    const cpuBefore = proc.cpuSeconds();
    const load = await runWrk(spec, { durationS, connections, cpus: loadCpus });
    const cpuUsPerRequest = ((proc.cpuSeconds() - cpuBefore) * 1e6) / Math.max(1, load.requests);
    const result: ScenarioResult = { ...meta, load, cpuUsPerRequest, rssMiB: proc.rssMiB(), peakRssMiB: proc.peakRssMiB(), backgroundCpu, facts };
    this.results.push(result);
    return result;
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

/** Starts a server, runs `body` against it, and always stops it. */
export async function withServer<S extends ServerProcess, T>(starting: Promise<S>, body: (server: S) => Promise<T>): Promise<T> {
  const server = await starting;
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}
