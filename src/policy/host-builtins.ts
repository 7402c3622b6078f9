import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Builtins that OPA's Wasm target leaves to the host and that Tollgate implements. They must be
 * synchronous (opa-wasm cannot await). Anything else a policy needs is refused at load time.
 */
export function hostBuiltins(now: () => number): Record<string, (...args: unknown[]) => unknown> {
  return {
    'time.now_ns': () => now() * 1e6,
    'crypto.sha256': (s) => createHash('sha256').update(String(s)).digest('hex'),
    'strings.any_prefix_match': (search, base) => anyMatch(search, base, (s, b) => s.startsWith(b)),
    'strings.any_suffix_match': (search, base) => anyMatch(search, base, (s, b) => s.endsWith(b)),
  };
}

function anyMatch(search: unknown, base: unknown, test: (s: string, b: string) => boolean): boolean {
  const searches = Array.isArray(search) ? search : [search];
  const bases = Array.isArray(base) ? base : [base];
  return searches.some((s) => bases.some((b) => typeof s === 'string' && typeof b === 'string' && test(s, b)));
}

/** Names of the builtins the opa-wasm SDK itself implements (sprintf, regex.split, yaml.*, ...). */
export function sdkBuiltinNames(): string[] {
  const require = createRequire(import.meta.url);
  const sdkEntry = require.resolve('@open-policy-agent/opa-wasm');
  const builtins = require(path.join(path.dirname(sdkEntry), 'builtins', 'index.js')) as Record<string, unknown>;
  return Object.keys(builtins);
}
