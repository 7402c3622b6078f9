import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { packageRoot } from '../src/paths.js';

/**
 * `node .tools/bench-dist/bench/decision-cost.js [root] [served]`: CPU cost of one native-API decision
 * inside the process (decode, API key, policy, audit line, metrics, recent-decision memory; no HTTP,
 * no sockets), for the Tollgate build under `root` (default: this one), in steady state: the median
 * of long samples taken early (after ~1k decisions) and again after `served` decisions (default
 * 200k, well past `outcomes.remember_decisions`), so a cost that grows with decisions served shows
 * as a ratio above 1. Cost is the process's CPU time (all its threads: GC and compiler threads
 * included), not wall time, so other work on a shared machine inflates it far less; comparing two
 * builds this way is far less noisy than comparing req/s.
 */
const [rootArg, servedArg = '200000'] = process.argv.slice(2);
const root = rootArg ?? packageRoot();
const load = (p: string) => import(pathToFileURL(path.join(root, 'dist', p)).href);
const { TollgateApp } = await load('src/app.js');
const { loadConfig } = await load('src/config/load.js');
const { decodeNativeRequest } = await load('src/adapters/native/decode.js');
const { writeKeys, nativeAuthorizeBody } = await import('./lib/fixtures.js');

const keysFile = path.join(process.env.TMPDIR ?? '/tmp', `decision-cost-keys-${process.pid}.yaml`);
const secret = writeKeys(keysFile, 1, { subject: 'bench-app', models: ['gpt-4o*'] });
const sink = new Writable({ write: (_chunk, _enc, done) => done() });
// TOLLGATE_* settings pass through, so a variant is measured the same way (TOLLGATE_POLICY__SHADOW__BUNDLE=... prices shadow evaluation).
const settings = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TOLLGATE_')));
const app = new TollgateApp(loadConfig({ ...settings, TOLLGATE_KEYS_FILE: keysFile }), { logStream: sink });
await app.policies.load();
const body = Buffer.from(nativeAuthorizeBody({ authorization: `Bearer ${secret}` }));

async function run(n: number): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const decision = await app.pipeline.authorize(decodeNativeRequest(JSON.parse(body.toString('utf8')), '127.0.0.1'));
    if (!decision.allow) throw new Error(`expected an allow, got ${decision.reason}`);
    // Let the log stream drain as it would between requests.
    if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / n;
}

const SAMPLE = 5_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sample = async () => median([await run(SAMPLE), await run(SAMPLE), await run(SAMPLE)]);

await run(1_000);
const early = await sample();
const served = Number(servedArg);
for (let done = 1_000 + 3 * SAMPLE; done < served; done += SAMPLE) await run(SAMPLE);
const late = await sample();
const result = { root, us_per_decision: late, us_after_1k: early, [`us_after_${served}`]: late, growth: late / early };
process.stdout.write(`${JSON.stringify(result)}\n`);
await app.stop();
