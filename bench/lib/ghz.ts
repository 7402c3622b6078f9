import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LoadResult } from './load-result.js';

const run = promisify(execFile);

export interface GhzOptions {
  ghz: string;
  protoRoot: string;
  proto: string;
  call: string;
  target: string;
  data: unknown;
  durationS: number;
  /** Concurrent calls, multiplexed over `channels` HTTP/2 connections (Envoy keeps few). */
  concurrency: number;
  channels: number;
  cpus: string;
}

/** gRPC load: ghz (Go) on the generator's core, closed loop for a fixed time. It reports no p99.9. */
export async function runGhz(o: GhzOptions): Promise<LoadResult> {
  const { stdout } = await run('taskset', [
    '-c', o.cpus, o.ghz, '--insecure', '--import-paths', o.protoRoot, '--proto', o.proto, '--call', o.call,
    '-d', JSON.stringify(o.data), '-c', String(o.concurrency), '--connections', String(o.channels),
    '-z', `${o.durationS}s`, '-O', 'json', '--skipFirst', '0', o.target,
  ], { timeout: (o.durationS + 30) * 1000, maxBuffer: 64 * 1024 * 1024 });
  const r = JSON.parse(stdout) as {
    count: number; total: number; rps: number;
    latencyDistribution: Array<{ percentage: number; latency: number }> | null;
    errorDistribution?: Record<string, number>;
  };
  const at = (p: number) => (r.latencyDistribution?.find((d) => d.percentage === p)?.latency ?? NaN) / 1e6;
  // When -z ends, ghz closes its connection under the calls still in flight: those failures are its own.
  const failed = Object.entries(r.errorDistribution ?? {})
    .filter(([message]) => !message.includes('use of closed network connection'))
    .reduce((a, [, c]) => a + c, 0);
  return {
    tool: 'ghz', durationS: r.total / 1e9, connections: o.concurrency, requests: r.count, rps: r.rps,
    p50Ms: at(50), p99Ms: at(99), p999Ms: NaN, errors: failed, non2xx: 0, unexpected: 0,
  };
}
