import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { replayDecisions, type ChangeKind, type Counts, type ReplayReport } from '../policy/replay.js';
import { UsageError, type Command } from './args.js';
import { DEFAULT_ENTRYPOINT, loadBundle } from './policy-bundle.js';

/** Exit code of --fail-on-change when any decision changes (a CI gate); 1 and 2 keep their meaning. */
export const CHANGED_EXIT = 3;

const replayFlags = {
  log: { type: 'string' },
  bundle: { type: 'string' },
  baseline: { type: 'string' },
  entrypoint: { type: 'string' },
  json: { type: 'boolean' },
  'fail-on-change': { type: 'boolean' },
} as const;

export const replayCommand: Command<typeof replayFlags> = {
  name: 'tollgate policy replay',
  usage: '--log FILE --bundle NEW [--baseline OLD] [--entrypoint E] [--json] [--fail-on-change]',
  help: `Re-evaluates every policy input recorded in a decision log (written with log.include_input: true) on
a new bundle, and shows what would change: allow→deny and deny→allow by subject, model, tool and reason,
with the first examples of each. Records without an input are counted as skipped.

  --log FILE              the decision log (JSON lines; other log lines are ignored)
  --bundle NEW            the candidate bundle
  --baseline OLD          compare with this bundle's outcome (default: the outcome each record says was decided)
  --entrypoint E          the decision entrypoint (default: ${DEFAULT_ENTRYPOINT})
  --json                  print the report as JSON
  --fail-on-change        exit ${CHANGED_EXIT} when any decision changes`,
  flags: replayFlags,
  positionals: [],
  run: async (flags) => {
    if (!flags.log) throw new UsageError('--log is required');
    if (!flags.bundle) throw new UsageError('--bundle is required');
    const next = await loadBundle(flags.bundle, flags.entrypoint);
    const baseline = flags.baseline ? await loadBundle(flags.baseline, flags.entrypoint) : undefined;
    const lines = createInterface({ input: createReadStream(flags.log), crlfDelay: Infinity });
    const report = await replayDecisions(lines, next, baseline);
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
    const changed = report.changes.allow_to_deny + report.changes.deny_to_allow > 0;
    return flags['fail-on-change'] && changed ? CHANGED_EXIT : 0;
  },
};

const ARROWS: Record<ChangeKind, string> = { allow_to_deny: 'allow→deny', deny_to_allow: 'deny→allow' };

export function renderReport(r: ReplayReport): string {
  const out = [
    `replayed ${r.replayed} of ${r.records} decisions (${r.skipped} without a recorded input) on revision ${r.revision}, against ${r.baseline === 'recorded' ? 'the recorded outcomes' : `revision ${r.baseline}`}`,
    `allow→deny: ${r.changes.allow_to_deny}   deny→allow: ${r.changes.deny_to_allow}`,
  ];
  for (const [name, table] of Object.entries(r.by)) {
    const rows = Object.entries(table as Record<string, Counts>).sort(([, a], [, b]) => b.allow_to_deny + b.deny_to_allow - a.allow_to_deny - a.deny_to_allow);
    if (rows.length === 0) continue;
    const width = Math.max(name.length, ...rows.map(([key]) => key.length));
    out.push('', `${name.padEnd(width)}  allow→deny  deny→allow`);
    for (const [key, c] of rows) out.push(`${key.padEnd(width)}  ${String(c.allow_to_deny).padStart(10)}  ${String(c.deny_to_allow).padStart(10)}`);
  }
  for (const kind of Object.keys(ARROWS) as ChangeKind[]) {
    if (r.examples[kind].length === 0) continue;
    out.push('', `first ${ARROWS[kind]}:`);
    for (const e of r.examples[kind]) {
      out.push(`  ${e.decision_id}  subject=${e.subject ?? '-'} model=${e.model ?? '-'} tools=${e.tools.join(',') || '-'}  ${e.from.result} (${e.from.reason}) → ${e.to.result} (${e.to.reason})`);
    }
  }
  return `${out.join('\n')}\n`;
}
