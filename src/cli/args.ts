import { parseArgs } from 'node:util';

/** A flag: a string (repeatable when `multiple`) or a boolean. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
}
export type FlagSpecs = Record<string, FlagSpec>;

/** What flags parse to; an absent flag is undefined. */
export type FlagValues<F extends FlagSpecs> = {
  [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : F[K]['multiple'] extends true ? string[] : string;
};

export interface Command<F extends FlagSpecs> {
  /** The full command, e.g. "tollgate keys create": messages and usage name it. */
  name: string;
  /** What follows the name on the usage line, e.g. "ID [--file F] [--json]". */
  usage: string;
  /** Printed by --help under the usage line: what the command does and what each flag means. */
  help: string;
  flags: F;
  /** Positional arguments by name, in order; a name in brackets ("[DIR]") is optional and comes last. */
  positionals: string[];
  run(flags: FlagValues<F>, positionals: string[]): number | Promise<number>;
}

/** A problem with how the command was called: exit 2 with the usage line, before anything is done. */
export class UsageError extends Error {}

/**
 * Parses `args` for `command` (flags before, between or after positionals) and runs it. `--help` or
 * `-h` prints the help to stdout (exit 0); a usage problem prints `<name>: <problem>` and the usage
 * line to stderr (exit 2); any other failure prints `<name>: <message>` (exit 1).
 */
export async function runCommand<F extends FlagSpecs>(command: Command<F>, args: string[]): Promise<number> {
  try {
    if (asksForHelp(args)) {
      process.stdout.write(`usage: ${command.name} ${command.usage}\n\n${command.help.trim()}\n`);
      return 0;
    }
    const { flags, positionals } = parseCommandArgs(command, args);
    return await command.run(flags, positionals);
  } catch (err) {
    if (err instanceof UsageError) return usageFailure(command.name, err.message, `usage: ${command.name} ${command.usage}\n`);
    process.stderr.write(`${command.name}: ${(err as Error).message}\n`);
    return 1;
  }
}

function usageFailure(name: string, problem: string, usage: string): number {
  process.stderr.write(`${name}: ${problem}\n${usage}`);
  return 2;
}

/** `--help` or `-h` anywhere before a `--` terminator, whatever else is wrong with the line. */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** Strict parse: unknown flags, missing or empty values, flags given twice and wrong positional counts are UsageErrors. */
export function parseCommandArgs<F extends FlagSpecs>(command: Pick<Command<F>, 'flags' | 'positionals'>, args: string[]): { flags: FlagValues<F>; positionals: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: command.flags, strict: true, allowPositionals: true, tokens: true });
  } catch (err) {
    throw new UsageError(describeParseError((err as Error).message, command.flags));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    // parseArgs keeps the last of a repeated flag; which one the operator meant is unknown.
    if (seen.has(token.name) && !command.flags[token.name].multiple) throw new UsageError(`--${token.name} is given more than once`);
    seen.add(token.name);
    if (token.value === '') throw new UsageError(`--${token.name} needs a value`);
  }
  const required = command.positionals.filter((p) => !p.startsWith('['));
  const given = parsed.positionals;
  if (given.length < required.length) throw new UsageError(`missing ${required[given.length]}`);
  if (given.length > command.positionals.length) throw new UsageError(`unexpected argument "${given[command.positionals.length]}"`);
  return { flags: parsed.values as FlagValues<F>, positionals: given };
}

/** parseArgs' messages, shorter and with a suggestion for a near-miss flag. */
function describeParseError(message: string, flags: FlagSpecs): string {
  const flag = /'(-[^' ]+)/.exec(message)?.[1];
  if (!flag) return message;
  const name = flag.replace(/^--?/, '');
  if (!Object.hasOwn(flags, name)) {
    const near = Object.keys(flags).find((k) => k.length > 2 && (`--${k}`.startsWith(flag) || flag.startsWith(`--${k}`)));
    return `unknown flag ${flag}${near ? ` (did you mean --${near}?)` : ''}`;
  }
  // A known flag that failed: a boolean given a value, or a string flag without one.
  return flags[name].type === 'boolean' ? `${flag} takes no value` : `${flag} needs a value`;
}

/** One word of a command group, e.g. "create" in `tollgate keys create`. */
export interface Subcommand {
  word: string;
  usage: string;
  run(args: string[]): number | Promise<number>;
}

export function subcommand(command: Command<FlagSpecs>): Subcommand {
  return { word: command.name.split(' ').at(-1) as string, usage: command.usage, run: (args) => runCommand(command, args) };
}

/** `<name> <word> ...`: runs the subcommand named by the first argument; `--help` lists them. */
export async function runGroup(name: string, subcommands: Subcommand[], args: string[], footer = ''): Promise<number> {
  const help = `usage: ${name} <command> ...\n\ncommands:\n${subcommands.map((s) => `  ${s.word} ${s.usage}\n`).join('')}\n`
    + `"${name} <command> --help" describes a command.\n${footer}`;
  const [word, ...rest] = args;
  if (word === '--help' || word === '-h') {
    process.stdout.write(help);
    return 0;
  }
  const found = subcommands.find((s) => s.word === word);
  if (!found) return usageFailure(name, word === undefined ? 'missing command' : `unknown command "${word}"`, help);
  return found.run(rest);
}
