import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/paths.js';
import { runBench, writeOutputs } from './run-bench.js';

/**
 * `npm run bench [-- --duration 10 --warmup 3 --max-warmup 30 --connections 50 --only bare,native --remember-decisions 200000 --out bench]`:
 * every scenario on loopback, bounded in time, results to bench/RESULTS.md and bench/results.json.
 */
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    'max-warmup': { type: 'string', default: '30' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string', default: '' },
    'remember-decisions': { type: 'string', default: '200000' },
    out: { type: 'string' },
  },
});
const root = packageRoot();
const opa = execFileSync('bash', [path.join(root, 'scripts', 'opa.sh')], { encoding: 'utf8' }).trim();
const output = await runBench({
  root,
  opa,
  durationS: Number(values.duration),
  warmupS: Number(values.warmup),
  maxWarmupS: Number(values['max-warmup']),
  connections: Number(values.connections),
  serverCpus: '0',
  loadCpus: '1',
  only: values.only ? values.only.split(',') : [],
  subjectCounts: [1_000, 10_000, 100_000],
  keyCounts: [1_000, 100_000],
  rememberDecisions: Number(values['remember-decisions']),
  maxFillS: 240,
}, (line) => process.stdout.write(`${line}\n`));
writeOutputs(values.out ?? path.join(root, 'bench'), output);
for (const t of output.report.targets) process.stdout.write(`${t.met === undefined ? 'n/a ' : t.met ? 'met ' : 'MISS'}  ${t.target}: ${t.measured}\n`);
