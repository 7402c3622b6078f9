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
      let out: string;
      if (Array.isArray(value)) {
        out = `[${value.map((v, i) => serialize(String(i), v, stack) ?? 'null').join(',')}]`;
      } else {
        const record = value as Record<string, unknown>;
        const parts: string[] = [];
        for (const k of Object.keys(record).sort()) {
          const v = serialize(k, record[k], stack);
          if (v !== undefined) parts.push(`${JSON.stringify(k)}:${v}`);
        }
        out = `{${parts.join(',')}}`;
      }
      stack.pop();
      return out;
    }
    default:
      return undefined;
  }
}
