import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

export interface ServerProcess {
  pid: number;
  /** The JSON line the server logged when it started listening. */
  ready: Record<string, unknown>;
  /** Resident set size now, in MiB. */
  rssMiB(): number;
  /** Peak resident set size (VmHWM), in MiB. */
  peakRssMiB(): number;
  /** CPU time (user + system) the process has used so far, in seconds. */
  cpuSeconds(): number;
  /** The system (kernel) part of it, in seconds. */
  systemCpuSeconds(): number;
  stop(): Promise<void>;
}

export interface ServerSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** CPU list for taskset (the server's core). */
  cpus: string;
  /** What the server said when ready (from its output or a probe); undefined until then. */
  readyWhen: (output: string) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;
  logDir: string;
  startTimeoutMs?: number;
}

/**
 * Starts a server in its own process, pinned with taskset. Its output goes to a file (a real sink
 * with real write cost, and the benchmark process does not spend CPU reading it).
 */
export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  const logFile = path.join(spec.logDir, `${spec.name}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn('taskset', ['-c', spec.cpus, spec.command, ...spec.args], {
    env: { ...withoutTollgateEnv(), ...spec.env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await waitForReady(child, logFile, spec, exited);
  const pid = child.pid!;
  return {
    pid,
    ready,
    rssMiB: () => sum(processTree(pid), (p) => procStatusKiB(p, 'VmRSS')) / 1024,
    peakRssMiB: () => sum(processTree(pid), (p) => procStatusKiB(p, 'VmHWM')) / 1024,
    cpuSeconds: () => sum(processTree(pid), (p) => procCpuSeconds(p).total),
    systemCpuSeconds: () => sum(processTree(pid), (p) => procCpuSeconds(p).system),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(logFile, { force: true });
    },
  };
}

async function waitForReady(child: ChildProcess, logFile: string, spec: ServerSpec, exited: Promise<number | null>): Promise<Record<string, unknown>> {
  const deadline = Date.now() + (spec.startTimeoutMs ?? 60_000);
  let exitCode: number | null | undefined;
  void exited.then((code) => { exitCode = code ?? -1; });
  for (;;) {
    const output = readFileSync(logFile, 'utf8');
    const ready = await spec.readyWhen(output);
    if (ready) return ready;
    if (exitCode !== undefined) throw new Error(`${spec.name} exited with ${exitCode} before it was ready:\n${output.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${spec.name} was not ready after ${spec.startTimeoutMs ?? 60_000} ms:\n${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The first JSON log line whose message is `message`. */
export function jsonLineWithMessage(message: string): (output: string) => Record<string, unknown> | undefined {
  return (output) => {
    for (const line of output.split('\n')) {
      if (!line.includes(message)) continue;
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        if (record.message === message) return record;
      } catch {
        // a partly written line: read again on the next poll
      }
    }
    return undefined;
  };
}

/**
 * The server and its children: a Tollgate with server.workers > 1 is a primary and its cluster
 * workers, and its CPU and memory are theirs together (peak RSS is then the sum of each one's peak).
 */
function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      children = children.concat(readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
    }
  } catch {
    return [pid]; // exited between the listing and the read
  }
  return [pid, ...children.flatMap(processTree)];
}

function sum(pids: number[], of: (pid: number) => number): number {
  return pids.reduce((total, p) => {
    try {
      return total + of(p);
    } catch {
      return total; // a worker that exited meanwhile
    }
  }, 0);
}

function procStatusKiB(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** utime + stime from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux). */
function procCpuSeconds(pid: number): { total: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { total: (Number(fields[11]) + Number(fields[12])) / 100, system: Number(fields[12]) / 100 };
}

/** Servers get only the settings a scenario gives them. */
function withoutTollgateEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TOLLGATE_')));
}
