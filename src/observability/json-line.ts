import { format } from 'winston';
import { redactFormat } from './redact.js';

/** winston's key for the serialised line (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

const redaction = redactFormat();

/**
 * The log line format: timestamp, redaction, then JSON with keys sorted. It writes the same bytes as
 * format.combine(format.timestamp(), redactFormat(), format.json()) in one pass: logform's json
 * configures a new safe-stable-stringify per record and calls a replacer per value, which made it
 * the largest cost of an audited decision.
 */
export const jsonLineFormat = format((info) => {
  if (!info.timestamp) info.timestamp = new Date().toISOString();
  redaction.transform(info, {}); // redacts in place
  info[MESSAGE] = sortedJson(info);
  return info;
});

/**
 * JSON with object keys sorted, as safe-stable-stringify (deterministic) with logform's bigint
 * replacer writes it: bigints as strings, circular references as "[Circular]".
 */
export function sortedJson(value: unknown): string {
  return serialize('', value, []) ?? 'null';
}

function serialize(key: string, raw: unknown, stack: unknown[]): string | undefined {
  let value = raw;
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: (k: string) => unknown }).toJSON(key);
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object': {
      if (value === null) return 'null';
      if (stack.includes(value)) return '"[Circular]"';
      stack.push(value);
      const out = Array.isArray(value) ? serializeArray(value, stack) : serializeObject(value as Record<string, unknown>, stack);
      stack.pop();
      return out;
    }
    default:
      return undefined;
  }
}

function serializeArray(list: unknown[], stack: unknown[]): string {
  let out = '[';
  for (let i = 0; i < list.length; i++) out += `${i === 0 ? '' : ','}${serialize(String(i), list[i], stack) ?? 'null'}`;
  return `${out}]`;
}

function serializeObject(record: Record<string, unknown>, stack: unknown[]): string {
  let out = '{';
  for (const k of sortedKeys(record)) {
    const v = serialize(k, record[k], stack);
    if (v !== undefined) out += `${out.length === 1 ? '' : ','}${JSON.stringify(k)}:${v}`;
  }
  return `${out}}`;
}

/** Records of one kind come with the same keys in the same order: sort once per shape, not per record. */
let lastKeys: string[] = [];
let lastSorted: string[] = [];

function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  if (keys.length === lastKeys.length && keys.every((k, i) => k === lastKeys[i])) return lastSorted;
  lastKeys = keys;
  lastSorted = [...keys].sort();
  return lastSorted;
}
