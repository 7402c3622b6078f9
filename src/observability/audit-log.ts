import { createLogger, type Logger } from 'winston';
import type { AuditTrail } from './audit-trail.js';
import { formatLine } from './json-line.js';

/**
 * The audit logger: winston's API and record building (level methods, message and fields, `level`),
 * but not its per-record stream machinery (a Transform piped into every transport), which cost more
 * than the policy evaluation. Each record's line is formatted at once, and the lines of one
 * event-loop turn are written to every sink together: a crash loses at most that turn's lines.
 */
export function batchedAuditLogger(trail: AuditTrail): { audit: Logger; close(): Promise<void> } {
  const audit = createLogger({ level: 'info' });
  let pending: string[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    trail.write(`${lines.join('\n')}\n`, lines.length);
  };
  // Every winston level method ends in write(info) with the record built; the line is made here instead.
  audit.write = (info: Record<string | symbol, unknown>): boolean => {
    pending.push(formatLine(info));
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
    return true;
  };
  return {
    audit,
    close: () => {
      flush();
      return trail.close();
    },
  };
}
