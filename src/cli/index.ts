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
  { word: 'policy', usage: 'build | test | eval | replay | inspect: build, sign, test, check and replay policy bundles', run: async (args: string[]) => (await import('./policy.js')).policyCommand(args) },
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
