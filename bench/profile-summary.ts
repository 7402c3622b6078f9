import { readFileSync } from 'node:fs';
import { functionName, type CpuProfile } from './lib/cpu-profile.js';

/**
 * `node .tools/bench-dist/bench/profile-summary.js FILE.cpuprofile [skip-seconds] [top]`: self and inclusive
 * time per function from a `node --cpu-prof` profile, after skipping start-up; the view used to
 * find the hot path's costs (bench/analysis.md). `npm run bench:profile` groups the same samples into buckets.
 */

const [file, skip = '2.5', top = '30'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (id: number) => functionName(byId.get(id)!.callFrame);
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let elapsed = 0;
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  elapsed += dt;
  if (elapsed < Number(skip) * 1e6 || byId.get(id)!.callFrame.functionName === '(idle)') return;
  total += dt;
  self.set(name(id), (self.get(name(id)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const key = name(cur);
    if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    seen.add(key);
  }
});
const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`${title} (% of busy time after ${skip} s)\n`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    process.stdout.write(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}\n`);
  }
};
print('self', self);
print('inclusive', inclusive);
