import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../src/paths.js';
import type { BenchReport } from './lib/report.js';
import { renderWithAnalysis } from './run-bench.js';

/**
 * `node .tools/bench-dist/bench/render.js [dir]`: rewrites dir/RESULTS.md (default bench/) from dir/results.json
 * and the current bench/analysis.md, so the hand-written analysis can be corrected without
 * re-running the load. Every figure still comes from that run's results.json.
 */
const root = packageRoot();
const dir = process.argv[2] ?? path.join(root, 'bench');
const report = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as BenchReport;
writeFileSync(path.join(dir, 'RESULTS.md'), renderWithAnalysis(report, root));
