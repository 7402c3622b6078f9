import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/paths.js';
import { perfUsable } from './lib/perf-record.js';
import { PROFILE_PATHS } from './lib/profile-paths.js';
import { renderCpuBreakdown, type ProfileReport } from './lib/profile-report.js';
import { profilePath } from './lib/profile-run.js';

/**
 * `npm run bench:profile [-- --only native,envoy-grpc --duration 10 --warmup 3 --max-warmup 30 --connections 50 --interval 1000 --out bench/profile.json --profiles DIR --perf auto|on|off]`:
 * each decision path under `node --cpu-prof`, its CPU split into buckets (bench/lib/profile-buckets.ts),
 * written to bench/profile.json for RESULTS.md's "CPU breakdown per path" and printed as markdown;
 * --profiles keeps the .cpuprofile files; --perf adds perf's kernel split of the same runs (auto: when perf may sample a CPU).
 */
const { values } = parseArgs({
  options: {
    only: { type: 'string', default: '' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    'max-warmup': { type: 'string', default: '30' },
    connections: { type: 'string', default: '50' },
    interval: { type: 'string', default: '1000' },
    out: { type: 'string' },
    profiles: { type: 'string' },
    perf: { type: 'string', default: 'auto' },
  },
});
const root = packageRoot();
const only = values.only ? values.only.split(',') : [];
const paths = PROFILE_PATHS.filter((p) => only.length === 0 || only.some((id) => p.id.startsWith(id)));
if (paths.length === 0) throw new Error(`--only ${values.only} names no path; paths: ${PROFILE_PATHS.map((p) => p.id).join(', ')}`);
const options = {
  durationS: Number(values.duration), warmupS: Number(values.warmup), maxWarmupS: Number(values['max-warmup']),
  connections: Number(values.connections), intervalUs: Number(values.interval),
};
if (values.profiles) mkdirSync(values.profiles, { recursive: true });
const perf = values.perf === 'on' || (values.perf === 'auto' && perfUsable());
const workDir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-profile-'));
const report: ProfileReport = {
  date: new Date().toISOString(),
  commit: execFileSync('git', ['describe', '--always', '--dirty'], { cwd: root, encoding: 'utf8' }).trim(),
  node: process.version,
  loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  options,
  paths: [],
};
const unprofiled: string[] = [];
try {
  for (const p of paths) {
    process.stdout.write(`profiling ${p.id}\n`);
    try {
      const result = await profilePath(p, { ...options, root, workDir, serverCpus: '0', loadCpus: '1', keepDir: values.profiles, perf });
      process.stdout.write(`  ${result.requests} requests, ${result.cpuUsPerRequest.toFixed(0)} µs CPU/req, ${result.failures} failed\n`);
      report.paths.push(result);
    } catch (err) {
      // One path that cannot run (no ghz, a build without that adapter) must not cost the others' minutes.
      process.stderr.write(`  ${p.id} not profiled: ${(err as Error).message}\n`);
      unprofiled.push(p.id);
    }
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
const out = values.out ?? path.join(root, 'bench', 'profile.json');
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${renderCpuBreakdown(report).join('\n')}\nwritten to ${out}\n`);
const failed = report.paths.filter((p) => p.failures > 0);
if (failed.length) process.stderr.write(`requests failed on ${failed.map((p) => p.id).join(', ')}: those breakdowns are not of the path's allow\n`);
if (unprofiled.length) process.stderr.write(`not profiled: ${unprofiled.join(', ')}\n`);
if (failed.length || unprofiled.length) process.exitCode = 1;
