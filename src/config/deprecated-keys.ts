import { isMapping, objectAt, type RawConfig } from './raw-config.js';

/** Top-level keys that moved, and where to: still accepted, in the file and as TOLLGATE_<OLD>__* variables. */
const MOVED_KEYS: Readonly<Record<string, readonly string[]>> = {
  envoy_grpc: ['adapters', 'envoy_grpc'],
};

/** A key path at its current place, and whether it was written under a moved key. */
export function currentKeyPath(path: readonly string[]): { path: readonly string[]; deprecated: boolean } {
  const moved = MOVED_KEYS[path[0]];
  return moved ? { path: [...moved, ...path.slice(1)], deprecated: true } : { path, deprecated: false };
}

/** Moves each moved key of a config file to its new place; what the file also sets there wins. */
export function moveDeprecatedKeys(raw: RawConfig, problems: string[]): void {
  for (const [old, path] of Object.entries(MOVED_KEYS)) {
    if (!(old in raw)) continue;
    const value = raw[old];
    delete raw[old];
    const parent = path.slice(0, -1).reduce(objectAt, raw);
    const key = path[path.length - 1];
    const current = parent[key];
    if (current === undefined) parent[key] = value;
    else if (isMapping(current) && isMapping(value)) parent[key] = merged(value, current);
    else problems.push(`${old}: deprecated alias of ${path.join('.')}, which is also set`);
  }
}

function merged(older: RawConfig, newer: RawConfig): RawConfig {
  const out = { ...older };
  for (const [key, value] of Object.entries(newer)) {
    const old = out[key];
    out[key] = isMapping(old) && isMapping(value) ? merged(old, value) : value;
  }
  return out;
}
