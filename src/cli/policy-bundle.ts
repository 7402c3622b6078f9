import { readFileSync } from 'node:fs';
import path from 'node:path';
import { authzenSchema } from '../config/authzen-schema.js';
import { policySchema } from '../config/schema.js';
import { defaultBundlePath, packageRoot } from '../paths.js';
import { WasmPolicyEngine } from '../policy/wasm-engine.js';

const defaults = policySchema.parse({});
export const DEFAULT_ENTRYPOINT = defaults.entrypoint;

/** What scripts/build-policy.sh builds the embedded policies/ with: both decisions, no examples. */
export const EMBEDDED_BUILD = { entrypoints: [DEFAULT_ENTRYPOINT, authzenSchema.parse({}).entrypoint], ignore: ['examples'] };

export function policiesDir(): string {
  return path.join(packageRoot(), 'policies');
}

/**
 * A bundle loaded as `tollgate serve` loads it (default: the embedded one). Who signed it is not
 * checked: these commands only read a bundle the operator chose; `serve` checks every one it activates.
 */
export function loadBundle(file: string | undefined, entrypoint: string | undefined): Promise<WasmPolicyEngine> {
  return WasmPolicyEngine.fromBundle(readFileSync(file ?? defaultBundlePath()), {
    entrypoint: entrypoint ?? defaults.entrypoint, maxMemoryPages: defaults.max_memory_pages, now: Date.now, ignoreSignature: true,
  });
}
