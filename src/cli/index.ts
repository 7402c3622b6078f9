import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths.js';
import { runGroup, subcommand, type Command, type FlagSpecs } from './args.js';
import { keysGroup } from './keys.js';
import { serveCommand } from './serve.js';

const EXIT_CODES = `
--version prints the version. Exit codes: 0 done, 1 failed (the message says why), 2 usage error
(unknown command or flag, missing or bad value; nothing was done).
`;

const commands = [
  subcommand(serveCommand as Command<FlagSpecs>),
  keysGroup,
  // Imported when used, as serve imports the server: it loads the Wasm engine.
  { word: 'policy', usage: 'build | inspect: build and inspect policy bundles', run: async (args: string[]) => (await import('./policy.js')).policyCommand(args) },
];

export async function runCli(argv: string[]): Promise<number> {
  if (argv[0] === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  try {
    return await runGroup('tollgate', commands, argv, EXIT_CODES);
  } catch (err) {
    process.stderr.write(`tollgate: ${(err as Error).message}\n`);
    return 1;
  }
}

function version(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Value of `--name value` (or `--name=value`), undefined when absent. policy.ts reads its flags with it until it moves onto args.ts. */
export function flag(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) {
      if (i + 1 >= args.length || args[i + 1].startsWith('--')) throw new Error(`${name} needs a value`);
      return args[i + 1];
    }
    if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1);
  }
  return undefined;
}
