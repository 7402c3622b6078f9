import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { warmUpUntilSteady, type LoadRunOptions } from './bench-context.js';
import { breakdown, type CpuProfile } from './cpu-profile.js';
import { cpuBusyPercent } from './machine.js';
import { startPerfRecord, type PerfSplit } from './perf-record.js';
import { BUCKET_LABELS } from './profile-buckets.js';
import type { LoadOptions, ProfilePath } from './profile-paths.js';
import { startTollgate } from './servers.js';

export interface ProfileOptions extends LoadRunOptions {
  /** Scratch directory: keys, server log, the .cpuprofile files. */
  workDir: string;
  /** --cpu-prof-interval, µs between samples. */
  intervalUs: number;
  /** When set, each path's .cpuprofile is copied here as <path id>.cpuprofile (for DevTools or profile-summary.js). */
  keepDir?: string;
  /** Also `perf record -g` the server's core over the measured run (root and perf needed). */
  perf: boolean;
}

/** One path's profile as bench/profile.json holds it (and bench/lib/profile-report.ts renders). */
export interface PathProfile {
  id: string;
  title: string;
  requests: number;
  rps: number;
  /** Socket errors, non-2xx and wrong bodies in the measured run: a breakdown of failures is not the path's. */
  failures: number;
  warmupS: number;
  backgroundCpu: number;
  /** Server CPU (utime + stime, every thread) per request over the measured run, µs. */
  cpuUsPerRequest: number;
  /** The stime part of that: every syscall's kernel time, an upper bound on the socket-write bucket. */
  kernelShare: number;
  /** The main thread's sampled busy time per request, µs: what the shares divide. */
  sampledUsPerRequest: number;
  samples: number;
  /** With --perf: the kernel's part as perf saw it over the same run. */
  perf?: PerfSplit;
  buckets: Array<{ id: string; label: string; share: number; usPerRequest: number }>;
  topSelf: Array<{ name: string; share: number }>;
}

/** µs on process.hrtime's clock, which is V8's profile clock too (CLOCK_MONOTONIC on Linux). */
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Starts Tollgate under `node --cpu-prof` on the server's core, warms it up with the path's load,
 * measures one run (CPU from /proc), stops it with SIGTERM so V8 writes the profile, and splits
 * the samples taken during the measured run into buckets.
 */
export async function profilePath(p: ProfilePath, o: ProfileOptions): Promise<PathProfile> {
  const dir = path.join(o.workDir, p.id);
  const profileDir = path.join(dir, 'cpuprofile');
  mkdirSync(profileDir, { recursive: true });
  const { env, load } = p.prepare(dir);
  const flags = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-interval=${o.intervalUs}`];
  const server = await startTollgate({ root: o.root, logDir: dir, serverCpus: o.serverCpus }, `tollgate-${p.id}`, env, flags);
  const loadOptions = (durationS: number): LoadOptions => ({ root: o.root, durationS, connections: o.connections, cpus: o.loadCpus });
  let measured;
  try {
    const warmupS = await warmUpUntilSteady(() => load(server, loadOptions(o.warmupS)), o.warmupS, o.maxWarmupS);
    const backgroundCpu = await cpuBusyPercent(500);
    const perf = o.perf ? startPerfRecord(o.serverCpus, path.join(dir, 'perf.data')) : undefined;
    const [fromUs, cpu0, sys0] = [nowUs(), server.cpuSeconds(), server.systemCpuSeconds()];
    const result = await load(server, loadOptions(o.durationS));
    const [cpu1, sys1, toUs] = [server.cpuSeconds(), server.systemCpuSeconds(), nowUs()];
    const perfSplit = await perf?.stop(server.pid);
    measured = { warmupS, backgroundCpu, fromUs, toUs, result, cpuS: cpu1 - cpu0, sysS: sys1 - sys0, perfSplit };
  } finally {
    await server.stop();
  }
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`${p.id}: the server wrote no .cpuprofile into ${profileDir}`);
  if (o.keepDir) copyFileSync(path.join(profileDir, file), path.join(o.keepDir, `${p.id}.cpuprofile`));
  const profile = JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')) as CpuProfile;
  const split = breakdown(profile, { fromUs: measured.fromUs, toUs: measured.toUs });
  const { result } = measured;
  const requests = Math.max(1, result.requests);
  const cpuUsPerRequest = (measured.cpuS * 1e6) / requests;
  return {
    id: p.id,
    title: p.title,
    requests: result.requests,
    rps: result.rps,
    failures: result.errors + result.non2xx + result.unexpected,
    warmupS: measured.warmupS,
    backgroundCpu: measured.backgroundCpu,
    cpuUsPerRequest,
    kernelShare: measured.cpuS > 0 ? measured.sysS / measured.cpuS : 0,
    sampledUsPerRequest: split.busyUs / requests,
    samples: split.samples,
    perf: measured.perfSplit,
    buckets: split.buckets.map((b) => ({ id: b.id, label: BUCKET_LABELS.get(b.id) ?? b.id, share: b.share, usPerRequest: b.share * cpuUsPerRequest })),
    topSelf: split.topSelf,
  };
}
