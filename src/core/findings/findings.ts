import type { Finding } from '../types.js';
import { DETECTORS } from './detectors.js';

/** Deeper nesting than any prompt or tool argument needs; beyond it nothing more is scanned. */
const MAX_DEPTH = 64;

/**
 * Kinds and counts of sensitive text in every string of `values` (a request body, tool arguments),
 * sorted by kind. The matched text never leaves this function: not in facts, logs or answers.
 */
export function findingsIn(values: readonly unknown[]): Finding[] {
  const strings: string[] = [];
  for (const value of values) collectStrings(value, strings, 0);
  if (strings.length === 0) return [];
  // One scan of the joined text: far cheaper than a regex run per short string.
  const text = strings.join('\n');
  const findings: Finding[] = [];
  for (const detector of DETECTORS) {
    const count = detector.count(text);
    if (count > 0) findings.push({ kind: detector.kind, count });
  }
  return findings.sort((a, b) => (a.kind < b.kind ? -1 : 1));
}

function collectStrings(value: unknown, out: string[], depth: number): void {
  if (typeof value === 'string') {
    out.push(value);
  } else if (depth < MAX_DEPTH && typeof value === 'object' && value !== null) {
    for (const item of Array.isArray(value) ? value : Object.values(value)) collectStrings(item, out, depth + 1);
  }
}
