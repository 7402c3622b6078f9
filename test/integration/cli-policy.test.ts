import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { readBundleFiles } from '../../src/policy/bundle.js';
import { BundleVerifier } from '../../src/policy/bundle-signature.js';
import { WasmPolicyEngine } from '../../src/policy/wasm-engine.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { writeKeyPair } from '../helpers/signed-bundles.js';
import { postJson, startTollgate, tempDir, writeKeys } from '../helpers/tollgate.js';

const ENTRY = 't/decision';
/** Reads allowed; writes denied, except to agents. */
const V1 = `package t

default decision := {"allow": false, "status": 403, "reason": "writes_denied"}
decision := {"allow": true} if input.request.method == "GET"
`;
/** The change under review: listing models now denied too, and writes allowed for agent-* subjects. */
const V2 = `package t

default decision := {"allow": false, "status": 403, "reason": "writes_denied"}
decision := {"allow": false, "status": 403, "reason": "listing_denied"} if input.request.path == "/v1/models"
decision := {"allow": true} if { input.request.method == "GET"; input.request.path != "/v1/models" }
decision := {"allow": true} if { input.request.method == "POST"; startswith(input.identity.subject, "agent-") }
`;
const TESTS = `package t_test

import data.t

test_get_allowed if t.decision.allow with input as {"request": {"method": "GET"}}
`;

const sourceDir = (rego: string, extra: Record<string, string> = {}) => {
  const dir = tempDir('tollgate-policy-src-');
  writeFileSync(path.join(dir, 'p.rego'), rego);
  for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(dir, name), text);
  return dir;
};

/** Each test spawns the CLI and OPA several times: seconds each on a busy machine. */
const SLOW = 120_000;

/** `tollgate policy ...` as an operator runs it, with the real OPA CLI underneath. */
describe('tollgate policy', () => {
  const out = tempDir('tollgate-policy-out-');
  const v1 = path.join(out, 'v1.tar.gz');
  const v2 = path.join(out, 'v2.tar.gz');
  // Compiling dist/ for the CLI takes longer than one test may on a busy machine.
  beforeAll(() => ensureBuilt(), 120_000);

  test('build: any directory, entrypoints, a revision reproducible from the sources', () => {
    const dir = sourceDir(V1);
    expect(runCli(['policy', 'build', dir, '--entrypoint', ENTRY, '--out', v1]).status).toBe(0);
    const again = path.join(out, 'again.tar.gz');
    expect(runCli(['policy', 'build', '--out', again, dir, '--entrypoint', ENTRY]).status).toBe(0);
    const inspect = (file: string) => JSON.parse(runCli(['policy', 'inspect', '--bundle', file, '--entrypoint', ENTRY]).stdout) as { revision: string; entrypoints: string[] };
    expect(inspect(v1).revision).toMatch(/^[0-9a-f]{12}$/);
    expect(inspect(again).revision).toBe(inspect(v1).revision);
    expect(inspect(v1).entrypoints).toEqual([ENTRY]);
    expect(runCli(['policy', 'build', sourceDir(V2), '--entrypoint', ENTRY, '--out', v2, '--revision', 'v2']).status).toBe(0);
    expect(inspect(v2).revision).toBe('v2');
  }, SLOW);

  test('build of the embedded policies/ (e.g. to sign it): both decisions, no examples, the embedded revision', () => {
    const rebuilt = path.join(out, 'embedded.tar.gz');
    expect(runCli(['policy', 'build', path.join(packageRoot(), 'policies'), '--out', rebuilt]).status).toBe(0);
    const inspect = (file?: string) => JSON.parse(runCli(['policy', 'inspect', ...(file ? ['--bundle', file] : [])]).stdout) as { revision: string; entrypoints: string[] };
    expect(inspect(rebuilt).entrypoints.sort()).toEqual(['tollgate/authz/decision', 'tollgate/authzen/decision']);
    expect(inspect(rebuilt).revision).toBe(inspect().revision);
    expect([...readBundleFiles(readFileSync(rebuilt)).keys()].filter((f) => f.includes('examples'))).toEqual([]);
  }, SLOW);

  test('build --signing-key: a bundle serve verifies with the public key, key id and scope', async () => {
    const keys = writeKeyPair('ES256');
    const signed = path.join(out, 'signed.tar.gz');
    const res = runCli(['policy', 'build', sourceDir(V1), '--entrypoint', ENTRY, '--out', signed, '--signing-key', keys.privateKey, '--signing-alg', 'ES256', '--key-id', 'global', '--scope', 'write']);
    expect(res).toMatchObject({ status: 0 });
    const verifier = BundleVerifier.fromSettings({ public_key: keys.publicKey, jwks_file: null, secret_file: null, key_id: 'global', scope: 'write' });
    await expect(WasmPolicyEngine.fromBundle(readFileSync(signed), { entrypoint: ENTRY, maxMemoryPages: 64, now: Date.now, verifier })).resolves.toBeInstanceOf(WasmPolicyEngine);
  }, SLOW);

  test('usage errors exit 2 with the usage line; --help exits 0', () => {
    expect(runCli(['policy', 'build', '--scope', 'write'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/need --signing-key[\s\S]*usage: tollgate policy build/) });
    expect(runCli(['policy', 'build', '--signing-key', 'k.pem', '--signing-alg', 'none'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--signing-alg must be') });
    expect(runCli(['policy', 'eval', '--bundle', v1])).toMatchObject({ status: 2, stderr: expect.stringContaining('--input is required') });
    expect(runCli(['policy', 'replay', '--log', 'x'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--bundle is required') });
    expect(runCli(['policy', 'eval', '--help'])).toMatchObject({ status: 0, stdout: expect.stringContaining('--explain') });
    expect(runCli(['policy', '--help'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/build[\s\S]*test[\s\S]*eval[\s\S]*replay[\s\S]*inspect/) });
  }, SLOW);

  test('test: runs opa test; a failing test fails the command', () => {
    expect(runCli(['policy', 'test', sourceDir(V1, { 'p_test.rego': TESTS })])).toMatchObject({ status: 0, stdout: expect.stringContaining('PASS') });
    expect(runCli(['policy', 'test', sourceDir(V1.replace('"GET"', '"HEAD"'), { 'p_test.rego': TESTS })])).toMatchObject({ status: 1, stdout: expect.stringContaining('FAIL') });
  }, SLOW);

  test('eval: the decision as Tollgate makes it; --explain traces the Rego sources', () => {
    const v2Sources = sourceDir(V2);
    const input = path.join(out, 'input.json');
    writeFileSync(input, JSON.stringify({ request: { method: 'POST', path: '/v1/chat/completions' }, identity: { subject: 'agent-7' } }));
    const v1Answer = JSON.parse(runCli(['policy', 'eval', '--input', input, '--bundle', v1, '--entrypoint', ENTRY]).stdout);
    expect(v1Answer).toMatchObject({ entrypoint: ENTRY, decision: { allow: false, status: 403, reason: 'writes_denied' } });
    expect(runCli(['policy', 'eval', '--input', input, '--bundle', v2, '--entrypoint', ENTRY, '--explain'])).toMatchObject({ status: 2, stderr: expect.stringContaining('needs --sources') });
    const explained = runCli(['policy', 'eval', '--input', input, '--bundle', v2, '--entrypoint', ENTRY, '--explain', '--sources', v2Sources]);
    expect(explained.status).toBe(0);
    expect(explained.stdout).toContain('"allow": true');
    expect(explained.stdout).toMatch(/explanation: OPA's Rego evaluator[\s\S]*p\.rego:6 +\| \| Eval startswith\(__local1__, "agent-"\)[\s\S]*Exit data\.t\.decision/);
  }, SLOW);

  test('replay: what a new bundle changes, on inputs recorded by a real Tollgate; --fail-on-change exits 3', async () => {
    const keysFile = path.join(tempDir(), 'keys.yaml');
    const [agent, app] = writeKeys(keysFile, [{ subject: 'agent-7' }, { subject: 'app-1' }]);
    const tg = await startTollgate({ TOLLGATE_POLICY_BUNDLE: v1, TOLLGATE_POLICY__ENTRYPOINT: ENTRY, TOLLGATE_LOG__INCLUDE_INPUT: 'true', TOLLGATE_KEYS_FILE: keysFile });
    try {
      const ask = (method: string, p: string, secret: string, body?: unknown) => postJson(`${tg.url}/v1/authorize`, { method, path: p, headers: { 'x-api-key': secret }, body });
      await ask('GET', '/v1/models', app.secret);
      await ask('GET', '/v1/files', app.secret);
      await ask('POST', '/v1/chat/completions', agent.secret, { model: 'gpt-4o', messages: [{ role: 'user', content: 'private prompt' }], tools: [{ type: 'function', function: { name: 'search' } }] });
      await ask('POST', '/v1/chat/completions', app.secret, { model: 'gpt-4o' });
      await ask('GET', '/v1/models', 'sk-not-a-key'); // denied before policy: no input to replay
    } finally {
      await tg.stop();
    }
    expect(tg.rawLogs()).not.toContain('private prompt');
    const log = path.join(out, 'decisions.log');
    writeFileSync(log, tg.rawLogs());

    const json = runCli(['policy', 'replay', '--log', log, '--bundle', v2, '--entrypoint', ENTRY, '--json']);
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      records: 5, replayed: 4, skipped: 1, revision: 'v2', baseline: 'recorded',
      changes: { allow_to_deny: 1, deny_to_allow: 1 },
      by: {
        subject: { 'app-1': { allow_to_deny: 1, deny_to_allow: 0 }, 'agent-7': { allow_to_deny: 0, deny_to_allow: 1 } },
        model: { 'gpt-4o': { deny_to_allow: 1 } },
        tool: { search: { deny_to_allow: 1 } },
        reason: { listing_denied: { allow_to_deny: 1 }, writes_denied: { deny_to_allow: 1 } },
      },
      examples: { allow_to_deny: [{ subject: 'app-1', from: { result: 'allow' }, to: { result: 'deny', reason: 'listing_denied' } }] },
    });

    const table = runCli(['policy', 'replay', '--log', log, '--bundle', v2, '--baseline', v1, '--entrypoint', ENTRY, '--fail-on-change']);
    expect(table.status).toBe(3);
    expect(table.stdout).toMatch(/allow→deny: 1 {3}deny→allow: 1/);
    expect(table.stdout).toMatch(/against revision [0-9a-f]{12}/);
    expect(runCli(['policy', 'replay', '--log', log, '--bundle', v1, '--entrypoint', ENTRY, '--fail-on-change']).status).toBe(0);
  }, SLOW);
});
