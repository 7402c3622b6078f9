import { isObject } from '../../core/is-object.js';
import type { StructMessage, ValueMessage } from './messages.js';

/** google.protobuf.Struct -> plain JSON, as Envoy metadata means it. */
export function fromStruct(struct: StructMessage | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) out[key] = fromValue(value);
  return out;
}

function fromValue(v: ValueMessage): unknown {
  if (v.structValue !== undefined) return fromStruct(v.structValue);
  if (v.listValue !== undefined) return (v.listValue.values ?? []).map(fromValue);
  return v.stringValue ?? v.numberValue ?? v.boolValue ?? null;
}

/** Plain JSON -> google.protobuf.Struct; values JSON cannot carry (undefined, functions) are left out. */
export function toStruct(obj: Record<string, unknown>): StructMessage {
  const fields: Record<string, ValueMessage> = {};
  for (const [key, value] of Object.entries(obj)) {
    const v = toValue(value);
    if (v) fields[key] = v;
  }
  return { fields };
}

function toValue(value: unknown): ValueMessage | undefined {
  if (value === null) return { nullValue: 0 };
  switch (typeof value) {
    case 'string': return { stringValue: value };
    case 'number': return Number.isFinite(value) ? { numberValue: value } : undefined;
    case 'boolean': return { boolValue: value };
    default: break;
  }
  if (Array.isArray(value)) return { listValue: { values: value.map((v) => toValue(v) ?? { nullValue: 0 }) } };
  if (isObject(value)) return { structValue: toStruct(value) };
  return undefined;
}
