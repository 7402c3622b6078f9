import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBuilt } from '../helpers/cli.js';
import { opaPath } from '../helpers/opa.js';
import { packageRoot } from '../../src/paths.js';
import { buildBench } from '../../bench/lib/bench-build.js';
import { PROFILE_PATHS } from '../../bench/lib/profile-paths.js';
import { renderCpuBreakdown } from '../../bench/lib/profile-report.js';
import { profilePath } from '../../bench/lib/profile-run.js';
import { runBench } from '../../bench/run-bench.js';

/**
 * The benchmark in miniature (1 s per load, tiny data sets), so that `npm run bench` cannot rot:
 * every scenario must run, put load through, and see no error, no non-2xx and no wrong answer.
 */
describe('benchmark smoke run', () => {
  test('every scenario produces requests and no errors', async () => {
    ensureBuilt();
    buildBench(packageRoot());
    const { report, markdown } = await runBench({
      root: packageRoot(), opa: opaPath(), durationS: 1, warmupS: 0, maxWarmupS: 0, connections: 4,
      serverCpus: '0', loadCpus: '1', only: [], subjectCounts: [100], keyCounts: [100],
      rememberDecisions: 10_000, maxFillS: 90,
    });
    const ids = report.results.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([
      'bare', 'bare-json', 'bare-policy', 'native-api-key', 'native-api-key-half-peak', 'native-api-key-workers-2', 'native-api-shadow', 'native-api-limits-memory', 'jwt-rs256-cache', 'jwt-es256-no-cache',
      'envoy-http', 'envoy-grpc', 'bare-grpc', 'bare-grpc-policy', 'opa-server', 'tollgate-data-api', 'subjects-100', 'keys-100', 'hot-reload',
      'served-early', 'served-late', 'authzen-single', 'authzen-batch-100',
    ]));
    for (const r of report.results) {
      expect({ id: r.id, notMeasured: r.notMeasured }).toEqual({ id: r.id, notMeasured: undefined });
      expect({ id: r.id, requests: r.load!.requests > 0 }).toEqual({ id: r.id, requests: true });
      expect({ id: r.id, errors: r.load!.errors, non2xx: r.load!.non2xx, unexpected: r.load!.unexpected })
        .toEqual({ id: r.id, errors: 0, non2xx: 0, unexpected: 0 });
    }
    // Every target but the 100k-keys RSS one (the smoke run loads 100 keys) is judged.
    expect(report.targets.filter((t) => t.met === undefined).map((t) => t.target)).toEqual(['RSS < 150 MB with 100k keys']);
    expect(markdown).toContain('| **1. physical limit** |');
  });

  test('the CPU breakdown profiles a path: every bucket rule still finds its code', async () => {
    ensureBuilt();
    const workDir = mkdtempSync(path.join(tmpdir(), 'tollgate-profile-smoke-'));
    try {
      const native = PROFILE_PATHS.find((p) => p.id === 'native')!;
      const result = await profilePath(native, {
        root: packageRoot(), workDir, durationS: 1, warmupS: 0, maxWarmupS: 0, connections: 4, serverCpus: '0', loadCpus: '1', intervalUs: 1000, perf: false,
      });
      expect({ requests: result.requests > 0, failures: result.failures }).toEqual({ requests: true, failures: 0 });
      const share = (id: string) => result.buckets.find((b) => b.id === id)?.share ?? 0;
      expect(result.buckets.reduce((a, b) => a + b.share, 0)).toBeCloseTo(1, 6);
      for (const id of ['http', 'decode', 'wasm', 'audit']) expect({ id, found: share(id) > 0 }).toEqual({ id, found: true });
      // Code no rule claims (a renamed src folder, a new dependency) would show here.
      expect(share('other')).toBeLessThan(0.1);
      expect(renderCpuBreakdown({ date: '', commit: '', node: '', loadAverage: [], options: { durationS: 1, warmupS: 0, maxWarmupS: 0, connections: 4, intervalUs: 1000 }, paths: [result] }).join('\n'))
        .toContain(`### ${native.title}`);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});
