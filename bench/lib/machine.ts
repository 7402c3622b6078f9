import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface MachineInfo {
  date: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  opa: string;
  wrk: string;
  packages: Record<string, string>;
  /** Other processes' CPU use when the run started (load average and busy node/jest/go processes). */
  loadAverage: number[];
  busyProcesses: string[];
}

const PACKAGES = ['@open-policy-agent/opa-wasm', 'jose', 'winston', 'prom-client', '@grpc/grpc-js', 'autocannon'];

export function machineInfo(root: string, opa: string): MachineInfo {
  const packages: Record<string, string> = {};
  for (const name of PACKAGES) {
    // Some packages' "exports" hide package.json: find it under node_modules directly.
    const file = path.join(root, 'node_modules', ...name.split('/'), 'package.json');
    try {
      packages[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      packages[name] = 'not installed';
    }
  }
  return {
    date: new Date().toISOString(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    opa: /Version: (\S+)/.exec(execFileSync(opa, ['version'], { encoding: 'utf8' }))?.[1] ?? 'unknown',
    wrk: /wrk (\S+)/.exec(tryOutput('wrk', ['-v']))?.[1] ?? 'unknown',
    packages,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    busyProcesses: busyProcesses(),
  };
}

/** Processes above 5% CPU that are not this benchmark: the noise this run shared the cores with. */
export function busyProcesses(): string[] {
  const out = tryOutput('ps', ['-eo', 'pid=,pcpu=,args=', '--sort=-pcpu']);
  return out.split('\n').map((l) => l.trim()).filter(Boolean)
    .map((l) => /^(\d+)\s+([\d.]+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) >= 5 && Number(m[1]) !== process.pid)
    .slice(0, 8)
    .map((m) => `${m[2]}% ${m[3].slice(0, 100)}`);
}

function tryOutput(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? '');
  }
}

/** Share of both cores busy over `ms` (from /proc/stat): how much else ran right before a scenario. */
export async function cpuBusyPercent(ms: number): Promise<number> {
  const sample = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + f[4];
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = sample();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = sample();
  return b.total === a.total ? 0 : Math.round((1 - (b.idle - a.idle) / (b.total - a.total)) * 100);
}
