import { verdictFromResultSet } from '../core/decision.js';
import { asTollgateError } from '../core/errors.js';
import type { WasmPolicyEngine } from './wasm-engine.js';

export interface Outcome { result: 'allow' | 'deny'; reason: string }
export type ChangeKind = 'allow_to_deny' | 'deny_to_allow';
export type Counts = Record<ChangeKind, number>;

export interface ReplayChange {
  decision_id: string;
  subject: string | null;
  model: string | null;
  tools: string[];
  from: Outcome;
  to: Outcome;
}

export interface ReplayReport {
  /** Decision records read; those without an input (log.include_input off, or denied before policy) are skipped. */
  records: number;
  replayed: number;
  skipped: number;
  revision: string;
  /** The baseline bundle's revision, or "recorded" when compared with what each record says was decided. */
  baseline: string;
  changes: Counts;
  by: { subject: Record<string, Counts>; model: Record<string, Counts>; tool: Record<string, Counts>; reason: Record<string, Counts> };
  examples: Record<ChangeKind, ReplayChange[]>;
}

/** How many examples of each kind of change a report keeps. */
export const EXAMPLES = 5;

/**
 * Re-evaluates every recorded policy input (decision records written with log.include_input) on a
 * new bundle and compares each with the baseline bundle's outcome, or with the recorded one (a dry-run
 * allow counts as the deny it stood in for). Counts allow→deny and deny→allow by subject, model, tool
 * and reason (the new reason of a new deny, the old reason of a lifted one).
 */
export async function replayDecisions(lines: AsyncIterable<string>, next: WasmPolicyEngine, baseline?: WasmPolicyEngine): Promise<ReplayReport> {
  const report: ReplayReport = {
    records: 0, replayed: 0, skipped: 0, revision: next.revision, baseline: baseline?.revision ?? 'recorded',
    changes: counts(), by: { subject: table(), model: table(), tool: table(), reason: table() }, examples: { allow_to_deny: [], deny_to_allow: [] },
  };
  for await (const line of lines) {
    const record = parseRecord(line);
    if (!record) continue;
    report.records++;
    if (typeof record.input !== 'object' || record.input === null) {
      report.skipped++;
      continue;
    }
    report.replayed++;
    const input = record.input as Record<string, unknown>;
    const from = baseline ? outcomeOf(baseline, input) : recordedOutcome(record);
    const to = outcomeOf(next, input);
    if (from.result === to.result) continue;
    const kind: ChangeKind = to.result === 'deny' ? 'allow_to_deny' : 'deny_to_allow';
    const change: ReplayChange = {
      decision_id: String(record.decision_id ?? ''), subject: stringOrNull(record.subject), model: stringOrNull(record.model),
      tools: Array.isArray(record.tools) ? record.tools.map(String) : [], from, to,
    };
    report.changes[kind]++;
    tally(report.by.subject, change.subject ?? '(anonymous)', kind);
    tally(report.by.model, change.model ?? '(none)', kind);
    for (const tool of change.tools) tally(report.by.tool, tool, kind);
    tally(report.by.reason, kind === 'allow_to_deny' ? to.reason : from.reason, kind);
    if (report.examples[kind].length < EXAMPLES) report.examples[kind].push(change);
  }
  return report;
}

export function outcomeOf(engine: WasmPolicyEngine, input: Record<string, unknown>): Outcome {
  try {
    const verdict = verdictFromResultSet(engine.evaluate(input));
    return { result: verdict.allow ? 'allow' : 'deny', reason: verdict.reason };
  } catch (err) {
    return { result: 'deny', reason: asTollgateError(err, 'ERR_POLICY_EVAL_FAILED').reason };
  }
}

function recordedOutcome(record: Record<string, unknown>): Outcome {
  const dryRun = record.dry_run as { reason?: unknown } | undefined;
  if (dryRun) return { result: 'deny', reason: String(dryRun.reason) };
  return { result: record.result === 'allow' ? 'allow' : 'deny', reason: String(record.reason ?? '') };
}

/** A decision record, or undefined for any other log line (app logs share the stream). */
function parseRecord(line: string): Record<string, unknown> | undefined {
  if (!line.includes('"log_type":"decision"')) return undefined;
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    return record.log_type === 'decision' ? record : undefined;
  } catch {
    return undefined;
  }
}

function counts(): Counts {
  return { allow_to_deny: 0, deny_to_allow: 0 };
}

/** Keyed by subjects and reasons callers and policies choose: no prototype, so "__proto__" is just a name. */
function table(): Record<string, Counts> {
  return Object.create(null) as Record<string, Counts>;
}

function tally(table: Record<string, Counts>, key: string, kind: ChangeKind): void {
  (table[key] ??= counts())[kind]++;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
