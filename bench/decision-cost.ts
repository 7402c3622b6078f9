import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { packageRoot } from '../src/paths.js';

/**
 * `node .tools/bench-dist/bench/decision-cost.js [root] [decisions]`: CPU cost of one native-API decision inside
 * the process (decode, API key, policy, audit line, metrics; no HTTP, no sockets), for the Tollgate
 * build under `root` (default: this one). Comparing two builds this way is far less noisy than
 * comparing their req/s on a shared machine.
 */
const [rootArg, countArg = '20000'] = process.argv.slice(2);
const root = rootArg ?? packageRoot();
const load = (p: string) => import(pathToFileURL(path.join(root, 'dist', p)).href);
const { TollgateApp } = await load('src/app.js');
const { loadConfig } = await load('src/config/load.js');
const { decodeNativeRequest } = await load('src/adapters/native/decode.js');
const { writeKeys, nativeAuthorizeBody } = await import('./lib/fixtures.js');

const keysFile = path.join(process.env.TMPDIR ?? '/tmp', `decision-cost-keys-${process.pid}.yaml`);
const secret = writeKeys(keysFile, 1, { subject: 'bench-app', models: ['gpt-4o*'] });
const sink = new Writable({ write: (_chunk, _enc, done) => done() });
const app = new TollgateApp(loadConfig({ TOLLGATE_KEYS_FILE: keysFile }), { logStream: sink });
await app.policies.load();
const body = Buffer.from(nativeAuthorizeBody({ authorization: `Bearer ${secret}` }));

async function run(n: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const decision = await app.pipeline.authorize(decodeNativeRequest(JSON.parse(body.toString('utf8')), '127.0.0.1'));
    if (!decision.allow) throw new Error(`expected an allow, got ${decision.reason}`);
    // Let the log stream drain as it would between requests.
    if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return ((performance.now() - started) * 1000) / n;
}

await run(Number(countArg) / 4);
const samples = [await run(Number(countArg)), await run(Number(countArg)), await run(Number(countArg))];
process.stdout.write(`${JSON.stringify({ root, us_per_decision: Math.min(...samples), samples })}\n`);
await app.stop();
