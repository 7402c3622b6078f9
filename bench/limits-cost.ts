import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { Redis } from 'ioredis';
import { TollgateApp } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { decodeNativeRequest } from '../src/adapters/native/decode.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { nativeAuthorizeBody, writeKeys } from './lib/fixtures.js';

/**
 * `node .tools/bench-dist/bench/limits-cost.js [decisions]`: µs of one native-API decision inside the
 * process without limits, with limits in memory, and with limits (and usage counters) in a local
 * Redis; for Redis also the limit scripts Redis ran per decision (the round trips limits add).
 * Limits are high enough never to deny: this prices admission, not refusal.
 */
const decisions = Number(process.argv[2] ?? '20000');
const keysFile = path.join(process.env.TMPDIR ?? '/tmp', `limits-cost-keys-${process.pid}.yaml`);
const secret = writeKeys(keysFile, 1, { subject: 'bench-app', models: ['gpt-4o*'] });
const body = nativeAuthorizeBody({ authorization: `Bearer ${secret}` });
const sink = new Writable({ write: (_chunk, _enc, done) => done() });
const LIMITS = { TOLLGATE_LIMITS__RULES: '[{name: bench, match: {subject: bench-*}, rpm: 1000000000, tpm: 1000000000, token_budget: 1000000000000/1mo}]' };

async function cost(env: Record<string, string>): Promise<number> {
  const app = new TollgateApp(loadConfig({ TOLLGATE_KEYS_FILE: keysFile, ...env }), { logStream: sink });
  await app.policies.load();
  const run = async (n: number) => {
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      const decision = await app.pipeline.authorize(decodeNativeRequest(JSON.parse(body), '127.0.0.1'));
      if (!decision.allow) throw new Error(`expected an allow, got ${decision.reason}`);
      if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return ((performance.now() - started) * 1000) / n;
  };
  await run(1000);
  const samples = [await run(decisions / 4), await run(decisions / 4), await run(decisions / 4)].sort((a, b) => a - b);
  await app.stop();
  return samples[1];
}

const redis = await startRedis();
const client = new Redis(redis.url);
const result: Record<string, number> = {
  us_without_limits: await cost({}),
  us_limits_memory: await cost(LIMITS),
  us_without_limits_redis_usage: await cost({ TOLLGATE_USAGE__REDIS_URL: redis.url }),
};
await client.config('RESETSTAT');
result.us_limits_redis = await cost({ ...LIMITS, TOLLGATE_USAGE__REDIS_URL: redis.url });
const stats = await client.info('commandstats');
const scripts = [...stats.matchAll(/cmdstat_(evalsha|eval):calls=(\d+)/g)].reduce((n, m) => n + Number(m[2]), 0);
result.limit_scripts_per_decision = scripts / (1000 + (3 * decisions) / 4);
process.stdout.write(`${JSON.stringify({ decisions, ...result })}\n`);
client.disconnect();
await redis.stop();
