import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { policySchema } from '../config/schema.js';
import { flag } from './index.js';
import { defaultBundlePath, packageRoot } from '../paths.js';
import { WasmPolicyEngine } from '../policy/wasm-engine.js';

export async function policyCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'build': {
      const out = flag(rest, '--out');
      const result = spawnSync('bash', [path.join(packageRoot(), 'scripts', 'build-policy.sh'), ...(out ? [path.resolve(out)] : [])], { stdio: 'inherit' });
      return result.status ?? 1;
    }
    case 'inspect': {
      const bundle = flag(rest, '--bundle') ?? defaultBundlePath();
      const defaults = policySchema.parse({});
      const engine = await WasmPolicyEngine.fromBundle(readFileSync(bundle), {
        entrypoint: flag(rest, '--entrypoint') ?? defaults.entrypoint,
        maxMemoryPages: defaults.max_memory_pages,
        now: Date.now,
      });
      process.stdout.write(`${JSON.stringify({ bundle, revision: engine.revision, entrypoints: engine.entrypoints, required_builtins: engine.requiredBuiltins }, null, 2)}\n`);
      return 0;
    }
    default:
      throw new Error('policy: use build or inspect');
  }
}
