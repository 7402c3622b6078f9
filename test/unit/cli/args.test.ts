import { jest } from '@jest/globals';
import { parseCommandArgs, runGroup, subcommand, UsageError, type Command, type FlagSpecs } from '../../../src/cli/args.js';

const flags = {
  file: { type: 'string' },
  tools: { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;
const spec = { flags, positionals: ['ID', '[NAME]'] };

function usageProblem(args: string[]): string {
  try {
    parseCommandArgs(spec, args);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`${args.join(' ')} parsed`);
}

describe('parseCommandArgs', () => {
  test.each<[string, string[], object]>([
    ['flags after positionals', ['abc', '--file', 'k.yaml', '--json'], { flags: { file: 'k.yaml', json: true }, positionals: ['abc'] }],
    ['flags before positionals', ['--file', 'k.yaml', '--json', 'abc'], { flags: { file: 'k.yaml', json: true }, positionals: ['abc'] }],
    ['flags between positionals', ['abc', '--file', 'k.yaml', 'name'], { flags: { file: 'k.yaml' }, positionals: ['abc', 'name'] }],
    ['--flag=value', ['--file=k.yaml', 'abc'], { flags: { file: 'k.yaml' }, positionals: ['abc'] }],
    ['a value that starts with "=" or holds spaces', ['--file==x y', 'abc'], { flags: { file: '=x y' }, positionals: ['abc'] }],
    ['a repeatable flag collects every value in order', ['--tools', 'a', 'abc', '--tools=b,c'], { flags: { tools: ['a', 'b,c'] }, positionals: ['abc'] }],
    ['"--" ends the flags', ['--', '--file'], { flags: {}, positionals: ['--file'] }],
  ])('%s', (_name, args, want) => {
    expect(parseCommandArgs(spec, args)).toEqual(want);
  });

  test.each<[string, string[], string]>([
    ['an unknown flag, with the near-miss named', ['abc', '--fil', 'k'], 'unknown flag --fil (did you mean --file?)'],
    ['an unknown flag with no near miss', ['abc', '--colour', 'blue'], 'unknown flag --colour'],
    ['an unknown short flag', ['abc', '-x'], 'unknown flag -x'],
    ['an inherited property name', ['abc', '--constructor'], 'unknown flag --constructor'],
    ['a missing value at the end', ['abc', '--file'], '--file needs a value'],
    ['a flag where the value should be', ['abc', '--file', '--json'], '--file needs a value'],
    ['an empty value', ['abc', '--file='], '--file needs a value'],
    ['a value for a boolean', ['abc', '--json=yes'], '--json takes no value'],
    ['a single-valued flag given twice', ['abc', '--file', 'a', '--file=b'], '--file is given more than once'],
    ['a boolean given twice', ['abc', '--json', '--json'], '--json is given more than once'],
    ['a missing positional', ['--file', 'k'], 'missing ID'],
    ['one positional too many', ['a', 'b', 'c'], 'unexpected argument "c"'],
  ])('usage error: %s', (_name, args, want) => {
    expect(usageProblem(args)).toBe(want);
  });
});

describe('runCommand and runGroup', () => {
  let out: string;
  let err: string;
  beforeEach(() => {
    out = '';
    err = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => { out += String(chunk); return true; });
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => { err += String(chunk); return true; });
  });
  afterEach(() => jest.restoreAllMocks());

  const ran: unknown[] = [];
  const show: Command<typeof flags> = {
    name: 'tollgate things show', usage: 'ID [--file F] [--json]', help: 'Shows a thing.', flags, positionals: ['ID'],
    run(values, positionals) {
      ran.push({ values, positionals });
      if (positionals[0] === 'bad') throw new UsageError('ID "bad" is not allowed');
      if (positionals[0] === 'gone') throw new Error('no thing with id gone');
      return 0;
    },
  };
  const group = (args: string[]) => runGroup('tollgate things', [subcommand(show as Command<FlagSpecs>)], args);

  test('runs the command with its parsed flags', async () => {
    expect(await group(['show', '--json', 'abc'])).toBe(0);
    expect(ran.at(-1)).toEqual({ values: { json: true }, positionals: ['abc'] });
    expect([out, err]).toEqual(['', '']);
  });

  test('--help or -h anywhere prints the usage and help to stdout, exit 0, without running', async () => {
    const before = ran.length;
    for (const args of [['show', '--help'], ['show', 'abc', '-h'], ['show', '--bogus', '--help']]) {
      out = '';
      expect(await group(args)).toBe(0);
      expect(out).toBe('usage: tollgate things show ID [--file F] [--json]\n\nShows a thing.\n');
    }
    expect(ran.length).toBe(before);
    expect(err).toBe('');
  });

  test('a usage error, found by the parser or by the command, is the problem and the usage line on stderr, exit 2', async () => {
    expect(await group(['show', 'abc', '--expire', '30d'])).toBe(2);
    expect(err).toBe('tollgate things show: unknown flag --expire\nusage: tollgate things show ID [--file F] [--json]\n');
    err = '';
    expect(await group(['show', 'bad'])).toBe(2);
    expect(err).toBe('tollgate things show: ID "bad" is not allowed\nusage: tollgate things show ID [--file F] [--json]\n');
    expect(out).toBe('');
  });

  test('a runtime failure is the message on stderr, exit 1', async () => {
    expect(await group(['show', 'gone'])).toBe(1);
    expect(err).toBe('tollgate things show: no thing with id gone\n');
  });

  test('the group: --help lists its commands (exit 0); a missing or unknown command is a usage error (exit 2)', async () => {
    expect(await group(['--help'])).toBe(0);
    expect(out).toMatch(/^usage: tollgate things <command> \.\.\.\n\ncommands:\n {2}show ID \[--file F\] \[--json\]\n/);
    expect(await group([])).toBe(2);
    expect(err).toMatch(/^tollgate things: missing command\nusage: tollgate things <command>/);
    err = '';
    expect(await group(['shwo'])).toBe(2);
    expect(err).toMatch(/^tollgate things: unknown command "shwo"\nusage: /);
  });
});
