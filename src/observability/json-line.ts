import { format } from 'winston';
import { configure } from 'safe-stable-stringify';
import { redactFormat } from './redact.js';

/** winston's key for the serialised line (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

const redaction = redactFormat();
/** What logform's json format uses, for the rare record JSON.stringify refuses (cycles, bigints). */
const safeStringify = configure({ bigint: false });

/**
 * The log line format: timestamp, redaction, then JSON, in one pass. logform's json format sets up
 * a new serializer and calls a replacer per value on every record, which made it the largest cost of
 * an audited decision; the native JSON.stringify handles every record Tollgate writes, and a
 * record it cannot serialise still gets a line.
 */
export const jsonLineFormat = format((info) => {
  info[MESSAGE] = formatLine(info);
  return info;
});

/** The line for a record: timestamped when it has no time, redacted in place, then JSON. */
export function formatLine(info: Record<string | symbol, unknown>): string {
  if (!info.timestamp) info.timestamp = new Date().toISOString();
  redaction.transform(info as Parameters<typeof redaction.transform>[0], {});
  return lineOf(info);
}

function lineOf(info: object): string {
  try {
    return JSON.stringify(info);
  } catch {
    return safeStringify(info, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)) ?? '{}';
  }
}
