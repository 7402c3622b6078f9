import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { HttpRequestSpec, LoadResult } from './load-result.js';

const run = promisify(execFile);
const autocannonCli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface FixedRateOptions {
  durationS: number;
  connections: number;
  /** Requests per second across all connections. */
  rate: number;
  cpus: string;
}

/**
 * Latency at a fixed offered rate (wrk cannot pace): autocannon's CLI in its own process on the
 * generator's core. Its expectBody is exact-match, so body checks stay with the wrk runs.
 */
export async function runFixedRate(spec: HttpRequestSpec, options: FixedRateOptions): Promise<LoadResult> {
  const args = [
    '-c', options.cpus, process.execPath, autocannonCli, '-j', '-n',
    '-c', String(options.connections), '-d', String(options.durationS), '-R', String(Math.max(1, Math.round(options.rate))),
    '-m', spec.method, ...Object.entries(spec.headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]),
    ...(spec.method === 'GET' ? [] : ['-b', spec.body]), spec.url,
  ];
  const { stdout } = await run('taskset', args, { timeout: (options.durationS + 30) * 1000, maxBuffer: 16 * 1024 * 1024 });
  const r = JSON.parse(stdout) as {
    duration: number; requests: { total: number }; errors: number; timeouts: number; non2xx: number;
    latency: { p50: number; p99: number; p99_9: number };
  };
  return {
    tool: 'autocannon', durationS: r.duration, connections: options.connections, requests: r.requests.total,
    rps: r.requests.total / r.duration, p50Ms: r.latency.p50, p99Ms: r.latency.p99, p999Ms: r.latency.p99_9,
    errors: r.errors + r.timeouts, non2xx: r.non2xx, unexpected: 0,
  };
}
