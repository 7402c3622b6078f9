import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What `perf record -g` saw of one process: the kernel's true share, which V8's sampler cannot see. */
export interface PerfSplit {
  samples: number;
  /** Samples whose leaf is kernel code (any syscall, interrupt, scheduler work). */
  kernelShare: number;
  /** Samples sending on a TCP socket (tcp_sendmsg, under write or writev): the response writes. */
  socketWriteShare: number;
  /**
   * Of those, samples in the receiving side's TCP path, which loopback runs on the writer's CPU
   * (softirq, tcp_v4_rcv, waking the reader): the load generator's cost, paid by the server.
   */
  socketDeliveryShare: number;
}

/** True when perf is installed and may sample a whole CPU (root, or perf_event_paranoid allows it). */
export function perfUsable(): boolean {
  try {
    execFileSync('perf', ['stat', '-C', '0', '-e', 'task-clock', '--', 'true'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** A running `perf record -g` of every task on `cpus`; stop() ends it and reads `pid`'s samples. */
export function startPerfRecord(cpus: string, file: string): { stop(pid: number): Promise<PerfSplit> } {
  // 999 Hz: enough samples in seconds, little of perf's own cost charged to the server.
  const perf = spawn('perf', ['record', '-q', '-g', '-F', '999', '-C', cpus, '-o', file], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve, reject) => {
    perf.once('exit', () => resolve());
    perf.once('error', reject);
  });
  return {
    stop: async (pid) => {
      perf.kill('SIGINT');
      await exited;
      const { stdout } = await run('perf', ['script', '-i', file, '-F', 'pid,ip,sym'], { maxBuffer: 512 * 1024 * 1024 });
      return perfSplit(stdout, pid);
    },
  };
}

/** `perf script -F pid,ip,sym` prints a line with the pid, then one `ip symbol` line per frame (leaf first), then a blank line. */
export function perfSplit(script: string, pid: number): PerfSplit {
  let samples = 0;
  let kernel = 0;
  let sends = 0;
  let delivery = 0;
  for (const block of script.split(/\n\s*\n/)) {
    const [header, ...frames] = block.trim().split('\n');
    if (Number(header) !== pid || frames.length === 0) continue;
    samples++;
    if (/^\s*ffffffff/.test(frames[0])) kernel++;
    if (frames.some((f) => /\btcp_sendmsg\b/.test(f))) {
      sends++;
      if (frames.some((f) => /net_rx_action\b|__netif_receive_skb/.test(f))) delivery++;
    }
  }
  const share = (n: number) => (samples > 0 ? n / samples : 0);
  return { samples, kernelShare: share(kernel), socketWriteShare: share(sends), socketDeliveryShare: share(delivery) };
}
