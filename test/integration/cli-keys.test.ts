import { execFile } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { readKeyFile } from '../../src/identity/key-file.js';
import { waitFor } from '../helpers/wait.js';
import { CLI, ensureBuilt, runCli, spawnServe } from '../helpers/cli.js';
import { postJson, startTollgate, tempDir, writeKeys } from '../helpers/tollgate.js';

/** `tollgate <args>` as a child process running alongside others. */
function cliAsync(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  ensureBuilt();
  return new Promise((resolve) => {
    execFile('node', [CLI, ...args], { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ status: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

describe('tollgate keys', () => {
  const file = path.join(tempDir(), 'keys.yaml');

  test('create prints the secret once, stores only its hash; the key works; revoke stops it', async () => {
    const created = runCli(['keys', 'create', '--file', file, '--subject', 'agent-7', '--models', 'gpt-4o*,claude-*', '--expires', '30d', '--description', 'nightly agent', '--json']);
    expect(created.status).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string; expires_at: string };
    expect(key.key).toMatch(/^tg_[a-z0-9]{12}_/);
    expect(Date.parse(key.expires_at) - Date.now()).toBeGreaterThan(29 * 86400e3);
    const stored = readFileSync(file, 'utf8');
    expect(stored).not.toContain(key.key);
    expect(stored).toContain('sha256:');

    const listed = JSON.parse(runCli(['keys', 'list', '--file', file, '--json']).stdout) as Array<Record<string, unknown>>;
    expect(listed).toEqual([expect.objectContaining({ id: key.id, subject: 'agent-7', models: ['gpt-4o*', 'claude-*'], description: 'nightly agent', disabled: false })]);
    expect(listed[0]).not.toHaveProperty('hash');

    const tg = await startTollgate({ TOLLGATE_KEYS_FILE: file, TOLLGATE_KEYS__POLL_INTERVAL_MS: '50' });
    try {
      const ask = () => postJson(`${tg.url}/v1/authorize`, { method: 'POST', path: '/v1/messages', headers: { 'x-api-key': key.key }, body: { model: 'claude-3-haiku' } });
      expect((await ask()).json).toMatchObject({ allow: true, identity: { subject: 'agent-7', key_id: key.id } });
      expect(runCli(['keys', 'revoke', key.id, '--file', file]).status).toBe(0);
      await waitFor(async () => (await ask()).json.allow === false, 15_000);
      expect((await ask()).json).toMatchObject({ allow: false, status: 401, reason: 'credential_revoked' });
    } finally {
      await tg.stop();
    }
    expect(runCli(['keys', 'list', '--file', file]).stdout).toMatch(new RegExp(`${key.id}\\s+revoked\\s+agent-7`));
  });

  test('create stores tools and limits; list and show print them, as text and as JSON', () => {
    const grants = path.join(tempDir(), 'keys.yaml');
    const created = runCli(['keys', 'create', '--tools', 'search_*,fetch', '--file', grants, '--subject', 'agent-8', '--models', 'gpt-4o*', '--tools', 'calc',
      '--rpm', '60', '--tpm', '100000', '--token-budget', '1000000/1mo', '--json']);
    expect(created).toMatchObject({ status: 0, stderr: '' });
    const key = JSON.parse(created.stdout) as Record<string, unknown>;
    const want = { id: key.id, subject: 'agent-8', models: ['gpt-4o*'], scopes: [], tools: ['search_*', 'fetch', 'calc'], limits: { rpm: 60, tpm: 100000, token_budget: { tokens: 1000000, period: '1mo' } }, expires_at: null, disabled: false, state: 'active' };
    expect(key).toMatchObject({ ...want, key: expect.stringMatching(/^tg_/) });
    expect(readKeyFile(grants)).toEqual([expect.objectContaining({ tools: want.tools, limits: want.limits })]);

    expect(JSON.parse(runCli(['keys', 'list', '--json', '--file', grants]).stdout)).toEqual([{ ...want, created_at: key.created_at }]);
    expect(JSON.parse(runCli(['keys', 'show', '--json', String(key.id), '--file', grants]).stdout)).toEqual({ ...want, created_at: key.created_at });
    expect(runCli(['keys', 'list', '--file', grants]).stdout).toBe(`${String(key.id)}  active   agent-8  models=gpt-4o*  tools=search_*,fetch,calc  limits=rpm:60,tpm:100000,token_budget:1000000/1mo  expires=never\n`);
    const shown = runCli(['keys', 'show', String(key.id), '--file', grants]).stdout;
    expect(shown).toMatch(/^tools: +search_\*, fetch, calc$/m);
    expect(shown).toMatch(/^limits: +rpm:60,tpm:100000,token_budget:1000000\/1mo$/m);
    expect(shown + JSON.stringify(runCli(['keys', 'list', '--json', '--file', grants]))).not.toMatch(/sha256|tg_/);
  });

  test.each<[string, string[], RegExp]>([
    ['a typo for --expires', ['--expire', '30d'], /^unknown flag --expire \(did you mean --expires\?\)$/],
    ['a typo for --tools', ['--tool', 'x'], /^unknown flag --tool \(did you mean --tools\?\)$/],
    ['an unknown flag', ['--rps', '3'], /^unknown flag --rps$/],
    ['a missing value', ['--rpm'], /^--rpm needs a value$/],
    ['rpm zero', ['--rpm', '0'], /^--rpm: "0" is not a positive integer$/],
    ['tpm not a number', ['--tpm', 'lots'], /^--tpm: "lots" is not a positive integer$/],
    ['a token budget without a period', ['--token-budget', '1000'], /^--token-budget: "1000" is not TOKENS\/PERIOD/],
    ['a token budget with an unknown period', ['--token-budget', '1000/1w'], /^--token-budget: /],
    ['a bad duration', ['--expires', 'soon'], /^--expires: invalid duration "soon"/],
    ['a lifetime past any date', ['--expires', '99999999999d'], /^--expires: "99999999999d" is longer than 100 years$/],
    ['subject given twice', ['--subject', 'y'], /^--subject is given more than once$/],
    ['an unexpected argument', ['extra'], /^unexpected argument "extra"$/],
  ])('create with %s exits 2 with the usage line and writes nothing', (_name, extra, problem) => {
    const untouched = path.join(tempDir(), 'keys.yaml');
    writeKeys(untouched, [{ subject: 'existing', models: ['*'] }]);
    const before = readFileSync(untouched, 'utf8');
    const res = runCli(['keys', 'create', '--file', untouched, '--subject', 'x', '--models', 'gpt-4o', ...extra]);
    expect({ status: res.status, stdout: res.stdout }).toEqual({ status: 2, stdout: '' });
    const [first, second, ...rest] = res.stderr.split('\n');
    expect(first.replace(/^tollgate keys create: /, '')).toMatch(problem);
    expect([first.startsWith('tollgate keys create: '), second.startsWith('usage: tollgate keys create --subject NAME --models GLOB'), rest]).toEqual([true, true, ['']]);
    expect(readFileSync(untouched, 'utf8')).toBe(before);
    expect(existsSync(`${untouched}.lock`)).toBe(false);
  });

  test('flags go before or after the key id', () => {
    const either = path.join(tempDir(), 'keys.yaml');
    const [a, b] = writeKeys(either, [{ subject: 'a', models: ['*'] }, { subject: 'b', models: ['*'] }]);
    expect(runCli(['keys', 'revoke', '--file', either, a.id])).toMatchObject({ status: 0, stdout: `revoked key ${a.id}\n` });
    expect(runCli(['keys', 'revoke', '--json', b.id, `--file=${either}`])).toMatchObject({ status: 0 });
    expect(readKeyFile(either).map((k) => k.disabled)).toEqual([true, true]);
    expect(runCli(['keys', 'show', '--file', either, a.id]).stdout).toMatch(/^state: +revoked$/m);
  });

  test('the key file from TOLLGATE_KEYS_FILE; no file at all is a usage error', () => {
    const fromEnv = path.join(tempDir(), 'keys.yaml');
    const [a] = writeKeys(fromEnv, [{ subject: 'a', models: ['*'] }]);
    expect(runCli(['keys', 'show', a.id, '--json'], { TOLLGATE_KEYS_FILE: fromEnv })).toMatchObject({ status: 0, stdout: expect.stringContaining(a.id) });
    expect(runCli(['keys', 'list'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^tollgate keys list: --file \(or TOLLGATE_KEYS_FILE\) is required\nusage: /) });
  });

  test('--help for keys and each keys command: usage on stdout, exit 0', () => {
    expect(runCli(['keys', '-h'])).toMatchObject({ status: 0, stderr: '', stdout: expect.stringMatching(/^usage: tollgate keys <command>[^]*\n {2}create --subject NAME[^]*\n {2}rotate ID/) });
    for (const [command, usage] of [['create', '--subject NAME'], ['list', '[--file F]'], ['show', 'ID [--file F]'], ['revoke', 'ID [--file F]'], ['rotate', 'ID [--grace DURATION]']]) {
      const res = runCli(['keys', command, 'ignored', '--help']);
      expect({ command, status: res.status, stderr: res.stderr }).toEqual({ command, status: 0, stderr: '' });
      expect(res.stdout.startsWith(`usage: tollgate keys ${command} ${usage}`)).toBe(true);
    }
  });

  test('runtime errors exit 1 with the message; usage errors exit 2', () => {
    const one = path.join(tempDir(), 'keys.yaml');
    writeKeys(one, [{ subject: 'a', models: ['*'] }]);
    expect(runCli(['keys', 'show', 'nosuchkey000', '--file', one])).toEqual({ status: 1, stdout: '', stderr: 'tollgate keys show: no key with id nosuchkey000\n' });
    expect(runCli(['keys', 'revoke', 'nosuchkey000', '--file', one])).toEqual({ status: 1, stdout: '', stderr: 'tollgate keys revoke: no key with id nosuchkey000\n' });
    expect(runCli(['keys', 'create', '--file', one, '--subject', 'x'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--models is required/) });
    expect(runCli(['keys', 'show', '--file', one])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^tollgate keys show: missing ID\nusage: tollgate keys show ID/) });
    expect(runCli(['keys', 'list', '--file', one, '--json=yes'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--json takes no value/) });
    expect(runCli(['keys', 'frobnicate'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^tollgate keys: unknown command "frobnicate"\nusage: tollgate keys <command>/) });
  });

  test('rotate --grace: a running tollgate serve accepts the old and new secrets until the grace period ends, then only the new one', async () => {
    const rotating = path.join(tempDir(), 'keys.yaml');
    const [k] = writeKeys(rotating, [{ subject: 'rotating', models: ['*'], tools: ['search'], limits: { rpm: 5 } }]);
    const tg = await spawnServe({ TOLLGATE_KEYS_FILE: rotating, TOLLGATE_KEYS__POLL_INTERVAL_MS: '50' });
    try {
      const ask = async (secret: string) => (await postJson(`http://127.0.0.1:${tg.ports.http}/v1/authorize`, { method: 'GET', path: '/v1/models', headers: { 'x-api-key': secret } })).json.reason as string;
      expect(await ask(k.secret)).toBe('allowed');
      const rotated = runCli(['keys', 'rotate', '--grace', '10s', k.id, '--file', rotating, '--json']);
      expect(rotated).toMatchObject({ status: 0, stderr: '' });
      const out = JSON.parse(rotated.stdout) as { key: string; previous: { valid_until: string } };
      const graceEnds = Date.parse(out.previous.valid_until);
      expect(out).toMatchObject({ id: k.id, subject: 'rotating', models: ['*'], tools: ['search'], limits: { rpm: 5 }, state: 'active', key: expect.stringMatching(new RegExp(`^tg_${k.id}_`)) });
      expect(out.previous).toEqual({ valid_until: expect.any(String) });
      const { hash: _hash, ...grants } = k.record;
      expect(readKeyFile(rotating)).toEqual([{ ...grants, hash: expect.not.stringMatching(k.record.hash), previous: { hash: k.record.hash, valid_until: out.previous.valid_until }, rotated_at: expect.any(String) }]);

      await waitFor(async () => (await ask(out.key)) === 'allowed', 5_000);
      expect(await ask(k.secret)).toBe('allowed');
      expect(Date.now()).toBeLessThan(graceEnds);
      await waitFor(async () => (await ask(k.secret)) === 'credential_invalid', 15_000);
      expect(Date.now()).toBeGreaterThanOrEqual(graceEnds);
      expect(await ask(out.key)).toBe('allowed');

      // Without --grace the secret it replaces stops at once.
      const again = JSON.parse(runCli(['keys', 'rotate', k.id, '--file', rotating, '--json']).stdout) as { key: string; previous?: unknown };
      expect(again.previous).toBeUndefined();
      await waitFor(async () => (await ask(again.key)) === 'allowed', 5_000);
      expect(await ask(out.key)).toBe('credential_invalid');
    } finally {
      tg.child.kill('SIGTERM');
      await tg.exited;
    }
  }, 60_000);

  test('rotate: a text answer; an unknown, revoked or expired key exits 1 and a bad --grace exits 2, with the file unchanged', () => {
    const file = path.join(tempDir(), 'keys.yaml');
    const [live, revoked, expired] = writeKeys(file, [
      { subject: 'live', models: ['*'] }, { subject: 'revoked', models: ['*'], disabled: true }, { subject: 'expired', models: ['*'], expires_at: '2020-01-01T00:00:00.000Z' },
    ]);
    const before = readFileSync(file, 'utf8');
    expect(runCli(['keys', 'rotate', 'nosuchkey000', '--file', file])).toEqual({ status: 1, stdout: '', stderr: 'tollgate keys rotate: no key with id nosuchkey000\n' });
    expect(runCli(['keys', 'rotate', revoked.id, '--file', file])).toMatchObject({ status: 1, stderr: `tollgate keys rotate: key ${revoked.id} is revoked; create a new key instead\n` });
    expect(runCli(['keys', 'rotate', expired.id, '--file', file])).toMatchObject({ status: 1, stderr: expect.stringMatching(/is expired/) });
    for (const grace of ['0s', 'soon', '5']) {
      expect(runCli(['keys', 'rotate', live.id, '--grace', grace, '--file', file])).toMatchObject({ status: 2, stdout: '', stderr: expect.stringMatching(/^tollgate keys rotate: --grace: invalid duration[^]*\nusage: tollgate keys rotate ID/) });
    }
    expect(runCli(['keys', 'rotate', live.id, '--grace', '--file', file])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--grace needs a value/) });
    expect(readFileSync(file, 'utf8')).toBe(before);

    const text = runCli(['keys', 'rotate', live.id, '--file', file, '--grace', '1h']);
    expect(text).toMatchObject({ status: 0, stdout: expect.stringMatching(new RegExp(`^rotated key ${live.id}\ntg_${live.id}_\\S+\nStore this key now: it is not shown again\\. The old secret works until 20\\d\\d-`)) });
    expect(runCli(['keys', 'show', live.id, '--file', file]).stdout).toMatch(/^old secret: +valid until 20\d\d-/m);
  });

  test('concurrent creates and revokes: every revocation and every new key lands', async () => {
    const concurrent = path.join(tempDir(), 'keys.yaml');
    const existing = writeKeys(concurrent, Array.from({ length: 8 }, (_, i) => ({ subject: `old-${i}`, models: ['*'] })));
    const runs = await Promise.all([
      ...existing.map((k) => cliAsync(['keys', 'revoke', k.id, '--file', concurrent])),
      ...Array.from({ length: 8 }, (_, i) => cliAsync(['keys', 'create', '--file', concurrent, '--subject', `new-${i}`, '--models', '*', '--json'])),
    ]);
    expect(runs.map((r) => [r.status, r.stderr])).toEqual(runs.map(() => [0, '']));
    const after = new Map(readKeyFile(concurrent).map((k) => [k.id, k]));
    for (const k of existing) expect({ id: k.id, disabled: after.get(k.id)?.disabled }).toEqual({ id: k.id, disabled: true });
    const created = runs.slice(existing.length).map((r) => (JSON.parse(r.stdout) as { id: string }).id);
    for (const id of created) expect(after.get(id)).toMatchObject({ disabled: false });
    expect(after.size).toBe(16);
    expect(existsSync(`${concurrent}.lock`)).toBe(false);
  });

  const past = (ms: number) => new Date(Date.now() - ms);
  test.each<[string, string, Date | undefined]>([
    ['its process is gone (this host)', `${hostname()} 999999999 x`, undefined],
    ['older than any change takes, process alive', `${hostname()} ${process.pid} x`, past(120_000)],
    ['from another host, old', 'elsewhere 1 x', past(120_000)],
    ['empty (died before writing it), old', '', past(120_000)],
  ])('a stale lock is broken: %s', (_name, content, mtime) => {
    const stale = path.join(tempDir(), 'keys.yaml');
    const [k] = writeKeys(stale, [{ subject: 's', models: ['*'] }]);
    writeFileSync(`${stale}.lock`, content);
    if (mtime) utimesSync(`${stale}.lock`, mtime, mtime);
    expect(runCli(['keys', 'revoke', k.id, '--file', stale])).toMatchObject({ status: 0 });
    expect(readKeyFile(stale)[0].disabled).toBe(true);
    expect(existsSync(`${stale}.lock`)).toBe(false);
  });

  test('a live lock is waited for, not ignored', async () => {
    const held = path.join(tempDir(), 'keys.yaml');
    const [k] = writeKeys(held, [{ subject: 's', models: ['*'] }]);
    writeFileSync(`${held}.lock`, 'elsewhere 1 held-by-another-host');
    const revoking = cliAsync(['keys', 'revoke', k.id, '--file', held]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(readKeyFile(held)[0].disabled).toBe(false);
    unlinkSync(`${held}.lock`);
    expect((await revoking).status).toBe(0);
    expect(readKeyFile(held)[0].disabled).toBe(true);
  });

  test('a broken key file is never rewritten; a running Tollgate applies its revocations and counts the failed reload', async () => {
    const broken = path.join(tempDir(), 'keys.yaml');
    const [a, b] = writeKeys(broken, [{ subject: 'a', models: ['*'] }, { subject: 'b', models: ['*'] }]);
    const tg = await startTollgate({ TOLLGATE_KEYS_FILE: broken, TOLLGATE_KEYS__POLL_INTERVAL_MS: '50' });
    try {
      const ask = async (secret: string) => (await postJson(`${tg.url}/v1/authorize`, { method: 'GET', path: '/v1/models', headers: { 'x-api-key': secret } })).json.reason as string;
      const text = `keys:\n  - ${JSON.stringify({ ...a.record, disabled: true })}\n  - ${JSON.stringify(b.record)}\n  - {"id": "garbage\n`;
      writeFileSync(broken, text);
      await waitFor(async () => (await ask(a.secret)) === 'credential_revoked', 15_000);
      expect(await ask(b.secret)).toBe('allowed');
      const metrics = await (await fetch(`${tg.adminUrl}/metrics`)).text();
      expect(metrics).toMatch(/tollgate_keys_reloads_total\{result="failure"\} [1-9]/);
      const refused = runCli(['keys', 'create', '--file', broken, '--subject', 'c', '--models', '*']);
      expect(refused.status).not.toBe(0);
      expect(readFileSync(broken, 'utf8')).toBe(text);
    } finally {
      await tg.stop();
    }
  });
});
