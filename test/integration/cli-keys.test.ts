import { readFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '../helpers/wait.js';
import { runCli } from '../helpers/cli.js';
import { postJson, startTollgate, tempDir } from '../helpers/tollgate.js';

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
});
