import { bucketOf, codeLocation, type CallFrame } from './profile-buckets.js';

/** The parts of a `node --cpu-prof` .cpuprofile file read here (times in µs of the monotonic clock). */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Breakdown {
  /** Sampled busy time of the main thread in the window ((idle) left out), µs. */
  busyUs: number;
  samples: number;
  /** Every bucket with time in it, largest first; shares of busyUs sum to 1. */
  buckets: Array<{ id: string; us: number; share: number }>;
  /** Functions by self time, largest first. */
  topSelf: Array<{ name: string; share: number }>;
}

/** A window of the profile's clock (process.hrtime's clock, in µs): only samples taken inside it count. */
export interface TimeWindow { fromUs: number; toUs: number }

/**
 * Shares of the main thread's busy time per bucket (profile-buckets.ts) and per function. A sample
 * weighs the time until the next one (as Chrome DevTools counts), so a late sample under load
 * weighs what it stood for.
 */
export function breakdown(profile: CpuProfile, window: TimeWindow = { fromUs: -Infinity, toUs: Infinity }, top = 10): Breakdown {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const bucketByNode = new Map<number, string>();
  const bucketFor = (id: number) => {
    let bucket = bucketByNode.get(id);
    if (bucket === undefined) {
      const stack: CallFrame[] = [];
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.push(frames.get(cur)!);
      bucket = bucketOf(stack);
      bucketByNode.set(id, bucket);
    }
    return bucket;
  };
  const byBucket = new Map<string, number>();
  const bySelf = new Map<string, number>();
  let busyUs = 0;
  let samples = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    const next = i + 1 < profile.samples.length ? at + (profile.timeDeltas[i + 1] ?? 0) : profile.endTime;
    const frame = frames.get(id)!;
    if (at < window.fromUs || at > window.toUs || frame.functionName === '(idle)') return;
    const us = Math.max(0, next - at);
    busyUs += us;
    samples++;
    const bucket = bucketFor(id);
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + us);
    const name = functionName(frame);
    bySelf.set(name, (bySelf.get(name) ?? 0) + us);
  });
  const share = (us: number) => (busyUs > 0 ? us / busyUs : 0);
  return {
    busyUs,
    samples,
    buckets: [...byBucket].sort((a, b) => b[1] - a[1]).map(([bucket, us]) => ({ id: bucket, us, share: share(us) })),
    topSelf: [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, share: share(us) })),
  };
}

/** `name location:line`, the location as codeLocation gives it (native functions have none). */
export function functionName(frame: CallFrame): string {
  const at = codeLocation(frame.url);
  return `${frame.functionName || '(anonymous)'}${at ? ` ${at}:${frame.lineNumber + 1}` : ''}`;
}
