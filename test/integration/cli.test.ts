import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tollgate.js';

/** `tollgate` itself and `tollgate serve`'s usage; the keys commands: cli-keys.test.ts; serving: process.test.ts. */
describe('tollgate', () => {
  test('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
    expect(runCli(['--version'])).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  test('--help lists every command and the exit codes on stdout, exit 0', () => {
    const res = runCli(['--help']);
    expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
    expect(res.stdout).toMatch(/^usage: tollgate <command> \.\.\.\n\ncommands:\n {2}serve \[--config FILE\]\n {2}keys create \| list \| show \| revoke \| rotate: [^\n]+\n {2}policy /);
    expect(res.stdout).toMatch(/Exit codes: 0 done, 1 failed[^]*2 usage error/);
  });

  test.each<[string, string[], RegExp]>([
    ['no command', [], /^tollgate: missing command\nusage: tollgate <command>/],
    ['an unknown command', ['frobnicate'], /^tollgate: unknown command "frobnicate"\nusage: tollgate <command>/],
    ['a flag where the command should be', ['--config', 'x'], /^tollgate: unknown command "--config"\n/],
    ['serve with an unknown flag', ['serve', '--port', '8181'], /^tollgate serve: unknown flag --port\nusage: tollgate serve \[--config FILE\]\n$/],
    ['serve with --config and no value', ['serve', '--config'], /^tollgate serve: --config needs a value\nusage: tollgate serve /],
    ['serve with an argument', ['serve', 'tollgate.yaml'], /^tollgate serve: unexpected argument "tollgate.yaml"\nusage: tollgate serve /],
  ])('%s: a usage error on stderr, exit 2', (_name, args, stderr) => {
    expect(runCli(args)).toEqual({ status: 2, stdout: '', stderr: expect.stringMatching(stderr) });
  });

  test('serve --help describes it, exit 0, without starting', () => {
    expect(runCli(['serve', '--help'])).toEqual({ status: 0, stderr: '', stdout: expect.stringMatching(/^usage: tollgate serve \[--config FILE\]\n\nRuns the sidecar/) });
  });

  test('serve with an invalid configuration: exit 2 naming the key, and the usage line', () => {
    const file = path.join(tempDir(), 'tollgate.yaml');
    writeFileSync(file, 'server:\n  http_port: "eighty"\n');
    expect(runCli(['serve', '--config', file])).toEqual({ status: 2, stdout: '', stderr: expect.stringMatching(/^tollgate serve: invalid configuration:\n {2}server\.http_port[^]*\nusage: tollgate serve \[--config FILE\]\n$/) });
  });
});
