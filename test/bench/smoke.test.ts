import { ensureBuilt } from '../helpers/cli.js';
import { opaPath } from '../helpers/opa.js';
import { packageRoot } from '../../src/paths.js';
import { buildBench } from '../../bench/lib/bench-build.js';
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
      'bare', 'bare-json', 'native-api-key', 'native-api-key-half-peak', 'native-api-shadow', 'native-api-limits-memory', 'jwt-rs256-cache', 'jwt-es256-no-cache',
      'envoy-http', 'envoy-grpc', 'opa-server', 'tollgate-data-api', 'subjects-100', 'keys-100', 'hot-reload',
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
});
