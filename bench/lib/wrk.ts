import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { HttpRequestSpec, LoadResult } from './load-result.js';

const run = promisify(execFile);

export interface ClosedLoopOptions {
  durationS: number;
  connections: number;
  /** CPU list for taskset (the generator's core). */
  cpus: string;
}

/**
 * Peak throughput: wrk (C, one thread, closed loop) on its own core. The Lua script checks each
 * body and prints the summary as one JSON line, including p99.9, which wrk's text output lacks.
 */
export async function runWrk(spec: HttpRequestSpec, options: ClosedLoopOptions): Promise<LoadResult> {
  const script = path.join(mkdtempSync(path.join(tmpdir(), 'tollgate-wrk-')), 'request.lua');
  writeFileSync(script, luaScript(spec));
  const { stdout } = await run('taskset', [
    '-c', options.cpus, 'wrk', '-t1', `-c${options.connections}`, `-d${options.durationS}s`, '--timeout', '5s', '-s', script, spec.url,
  ], { timeout: (options.durationS + 30) * 1000 });
  const line = stdout.split('\n').find((l) => l.startsWith('{"wrk":'));
  if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
  const s = JSON.parse(line) as { requests: number; duration_us: number; p50: number; p99: number; p999: number; errors: number; non2xx: number; unexpected: number };
  const durationS = s.duration_us / 1e6;
  return {
    tool: 'wrk', durationS, connections: options.connections, requests: s.requests, rps: s.requests / durationS,
    p50Ms: s.p50 / 1000, p99Ms: s.p99 / 1000, p999Ms: s.p999 / 1000, errors: s.errors, non2xx: s.non2xx, unexpected: s.unexpected,
  };
}

/** Lua long strings ([==[ ... ]==]) carry the body and headers without escaping. */
function luaScript(spec: HttpRequestSpec): string {
  const long = (s: string) => `[==[${s}]==]`;
  const headers = Object.entries(spec.headers).map(([k, v]) => `wrk.headers[ ${long(k)} ] = ${long(v)}`).join('\n');
  return `
wrk.method = "${spec.method}"
wrk.body = ${spec.method === 'GET' ? 'nil' : long(spec.body)}
${headers}
-- response() runs in the thread's Lua state and done() in the main one: collect through setup().
unexpected = 0
local expect = ${long(spec.expect)}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  if status >= 200 and status < 300 and not string.find(body, expect, 1, true) then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("unexpected") end
  io.write(string.format('{"wrk":1,"requests":%d,"duration_us":%d,"p50":%d,"p99":%d,"p999":%d,"errors":%d,"non2xx":%d,"unexpected":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    e.connect + e.read + e.write + e.timeout, e.status, bad))
end
`;
}
