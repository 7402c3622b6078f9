import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BenchContext, type BenchOptions } from './lib/bench-context.js';
import { machineInfo } from './lib/machine.js';
import { renderCpuBreakdown, type ProfileReport } from './lib/profile-report.js';
import { renderMarkdown, type BenchReport } from './lib/report.js';
import { checkTargets } from './lib/targets.js';
import { authzen } from './scenarios/authzen.js';
import { bareLimit } from './scenarios/bare-limit.js';
import { decisionsServed } from './scenarios/decisions-served.js';
import { keyGrowth, subjectGrowth } from './scenarios/cost-growth.js';
import { envoy } from './scenarios/envoy.js';
import { hotReload } from './scenarios/hot-reload.js';
import { jwt } from './scenarios/jwt.js';
import { nativeApi } from './scenarios/native-api.js';
import { opaComparison } from './scenarios/opa-comparison.js';
import { promptAndMcp } from './scenarios/prompt-and-mcp.js';
import { shadowCost } from './scenarios/shadow.js';
import { workers } from './scenarios/workers.js';
import { limitsCost } from './scenarios/limits.js';

/** Scenarios in the order; each skips itself when not wanted or not available. */
const SCENARIOS = [bareLimit, nativeApi, workers, shadowCost, limitsCost, jwt, envoy, opaComparison, subjectGrowth, keyGrowth, hotReload, decisionsServed, authzen, promptAndMcp];

export interface RunOutput {
  report: BenchReport;
  markdown: string;
}

/** Runs every wanted scenario one after another (never two loads at once) and renders the report. */
export async function runBench(options: BenchOptions, log: (line: string) => void = () => undefined): Promise<RunOutput> {
  const machine = machineInfo(options.root, options.opa);
  const ctx = new BenchContext(options);
  try {
    for (const scenario of SCENARIOS) {
      log(`running ${scenario.name}`);
      await scenario(ctx);
      for (const r of ctx.results.filter((x) => !logged.has(x))) {
        logged.add(r);
        log(r.load ? `  ${r.id}: ${Math.round(r.load.rps)} req/s cpu ${r.cpuUsPerRequest === undefined ? "-" : Math.round(r.cpuUsPerRequest)} us/req p99 ${r.load.p99Ms.toFixed(2)} ms errors ${r.load.errors + r.load.non2xx + r.load.unexpected}` : `  ${r.id}: not measured: ${r.notMeasured}`);
      }
    }
  } finally {
    ctx.dispose();
  }
  const { root: _root, opa: _opa, ...shown } = options;
  const report: BenchReport = {
    machine,
    method: {
      'load generator (peak)': `wrk ${machine.wrk}, 1 thread, ${options.connections} keep-alive connections, closed loop; warm-up in ${options.warmupS} s chunks until a chunk's p99 is within 5x its p50 (at most ${options.maxWarmupS} s; V8 compiling on the server's one core makes a young Node server's tail latency unrepresentative), then ${options.durationS} s measured; a Lua check counts 2xx answers without the expected body`,
      'load generator (gRPC)': `ghz v0.120.0 (Go, installed by bench/ghz.sh with go install), ${options.connections} concurrent calls over 1 HTTP/2 connection, warm-up as above; no p99.9`,
      'load generator (fixed rate)': `autocannon ${machine.packages.autocannon} CLI (-R), same connections and duration`,
      'core pinning': `server process on CPU ${options.serverCpus}, load generator on CPU ${options.loadCpus} (taskset); OPA is pinned the same way, so Go sees one CPU (GOMAXPROCS=1)`,
      'servers': 'separate processes: `node bin/tollgate.js serve` (the built CLI, output to a file), bench/servers/bare-http.ts, `opa run --server --log-level error`',
      'RSS': 'VmRSS of the server after the measured run; peak is VmHWM (includes start-up)',
      'CPU µs/req': 'server CPU time (utime + stime from /proc) during the measured run divided by its requests: the least noise-sensitive figure',
      'noise': '"other CPU %" is how busy both cores were in the half second before each run, with no load running: anything above ~0 is other work (other engineers\' builds and tests) sharing the machine; read such rows with care. CPU µs/req moves least with noise',
    },
    options: shown,
    results: ctx.results,
    targets: checkTargets((id) => ctx.find(id)),
  };
  return { report, markdown: renderWithAnalysis(report, options.root) };
}

/**
 * RESULTS.md for a report: its figures, the CPU breakdown from bench/profile.json (its own run,
 * `npm run bench:profile`) when there is one, and the hand-written bench/analysis.md as it is now.
 */
export function renderWithAnalysis(report: BenchReport, root: string): string {
  const analysisFile = path.join(root, 'bench', 'analysis.md');
  const profileFile = path.join(root, 'bench', 'profile.json');
  const profile = existsSync(profileFile) ? JSON.parse(readFileSync(profileFile, 'utf8')) as ProfileReport : undefined;
  return renderMarkdown(report, existsSync(analysisFile) ? readFileSync(analysisFile, 'utf8') : '', renderCpuBreakdown(profile));
}

const logged = new WeakSet<object>();

export function writeOutputs(dir: string, output: RunOutput): void {
  writeFileSync(path.join(dir, 'RESULTS.md'), output.markdown);
  writeFileSync(path.join(dir, 'results.json'), `${JSON.stringify(output.report, null, 2)}\n`);
}
