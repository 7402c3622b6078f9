import { readFileSync } from 'node:fs';

/**
 * `node dist/bench/profile-summary.js FILE.cpuprofile [top]`: self time per function from a
 * `node --cpu-prof` profile, the view used to find the hot path's costs (bench/analysis.md).
 */
interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const [file, top = '30'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const frame = byId.get(id)!.callFrame;
  const where = frame.url ? `${frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}` : '(native)';
  const key = `${frame.functionName || '(anonymous)'} ${where}`;
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  process.stdout.write(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}\n`);
}
