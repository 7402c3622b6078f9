import { execFile } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { readKeyFile } from '../../src/identity/key-file.js';
import { waitFor } from '../helpers/wait.js';
import { CLI, ensureBuilt, runCli } from '../helpers/cli.js';
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

  test('usage errors exit non-zero with a message', () => {
    expect(runCli(['keys', 'create', '--file', file, '--subject', 'x']).stderr).toMatch(/--models is required/);
    expect(runCli(['keys', 'revoke', 'nosuchkey000', '--file', file]).stderr).toMatch(/no key with id/);
    expect(runCli(['keys', 'create', '--file', file, '--subject', 'x', '--models', 'a', '--expires', 'soon']).stderr).toMatch(/invalid duration/);
    expect(runCli(['frobnicate']).status).toBe(2);
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
