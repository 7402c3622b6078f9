import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/paths.js';

/**
 * `node .tools/bench-dist/bench/policy-replay.js [records]`: `tollgate policy replay` throughput on a
 * decision log of N records (default 100,000) written as log.include_input writes them, replayed on
 * the embedded bundle against the recorded outcomes (every 10th recorded as a deny, so changes are
 * counted too). The target: 100,000 records in under a minute.
 */
const records = Number(process.argv[2] ?? '100000');
const root = packageRoot();
const load = (p: string) => import(pathToFileURL(path.join(root, 'dist', p)).href);
const { replayDecisions } = await load('src/policy/replay.js');
const { loadBundle } = await load('src/cli/policy-bundle.js');
const { policyInput } = await import('./lib/fixtures.js');

const log = path.join(process.env.TMPDIR ?? '/tmp', `policy-replay-${process.pid}.log`);
const lines: string[] = [];
for (let i = 0; i < records; i++) {
  const subject = `user-${i % 1000}`;
  lines.push(JSON.stringify({
    message: 'decision', log_type: 'decision', decision_id: `d-${i}`, subject, model: 'gpt-4o-mini', tools: [],
    result: i % 10 === 0 ? 'deny' : 'allow', reason: i % 10 === 0 ? 'model_not_allowed' : 'allowed', input: policyInput(subject),
  }));
}
writeFileSync(log, `${lines.join('\n')}\n`);

const engine = await loadBundle(undefined, undefined);
const { createReadStream } = await import('node:fs');
const { createInterface } = await import('node:readline');
const started = performance.now();
const report = await replayDecisions(createInterface({ input: createReadStream(log), crlfDelay: Infinity }), engine);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ records: report.records, replayed: report.replayed, changes: report.changes, seconds: Math.round(seconds * 100) / 100, records_per_s: Math.round(report.records / seconds) })}\n`);
