import { keysCommand } from './keys.js';
import { policyCommand } from './policy.js';
import { serve } from './serve.js';

const USAGE = `usage: tollgate <command>

  serve [--config FILE]                      run the sidecar (config also from TOLLGATE_CONFIG / TOLLGATE_* env)
  keys create --file F --subject S --models GLOB[,GLOB] [--scopes S,..] [--expires 30d] [--description T] [--json]
  keys list --file F [--json]
  keys revoke ID --file F
  policy build [--out FILE]                  compile policies/ to a Wasm bundle with the pinned OPA
  policy inspect [--bundle FILE]             show revision, entrypoints and required builtins
`;

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(flag(rest, '--config'));
      case 'keys':
        return keysCommand(rest);
      case 'policy':
        return await policyCommand(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`tollgate: unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    process.stderr.write(`tollgate: ${(err as Error).message}\n`);
    return 1;
  }
}

/** Value of `--name value` (or `--name=value`), undefined when absent. */
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

export function hasFlag(args: string[], name: string): boolean {
  return args.includes(name);
}
