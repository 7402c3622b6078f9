import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { defaultBundlePath, packageRoot } from '../paths.js';
import { buildBundle, opaPath } from '../policy/bundle-build.js';
import { runGroup, subcommand, UsageError, type Command, type FlagSpecs, type FlagValues } from './args.js';
import { evalCommand } from './policy-eval.js';
import { DEFAULT_ENTRYPOINT, EMBEDDED_BUILD, loadBundle, policiesDir } from './policy-bundle.js';
import { replayCommand } from './policy-replay.js';

const buildFlags = {
  entrypoint: { type: 'string', multiple: true },
  out: { type: 'string' },
  revision: { type: 'string' },
  'signing-key': { type: 'string' },
  'signing-alg': { type: 'string' },
  'key-id': { type: 'string' },
  scope: { type: 'string' },
} as const;

const build: Command<typeof buildFlags> = {
  name: 'tollgate policy build',
  usage: '[DIR] [--entrypoint E ...] [--out FILE] [--revision R] [--signing-key PEM --signing-alg RS256|PS256|ES256|HS256 [--key-id ID] [--scope S]]',
  help: `Compiles a directory of Rego and data.json files (tests excluded) into an OPA Wasm bundle with the
pinned OPA CLI. Without DIR and flags it rebuilds the embedded policies/ bundle (scripts/build-policy.sh).

  DIR                     the policy sources (default: the embedded policies/)
  --entrypoint E          a decision path such as tollgate/authz/decision; repeatable (default: ${DEFAULT_ENTRYPOINT}; for the embedded policies/ also ${EMBEDDED_BUILD.entrypoints.slice(1).join(', ')})
  --out FILE              where to write the bundle (default: bundle.tar.gz, or policies/build/ for the embedded one)
  --revision R            the manifest revision (default: a hash of the sources, the same for the same sources)
  --signing-key PEM       sign the bundle (OPA's .signatures.json): a private key PEM file, or the HMAC secret for HS256
  --signing-alg ALG       RS256 (default), PS256, ES256 or HS256
  --key-id ID             the key id written into the signature (policy.signing.key_id)
  --scope S               the scope written into the signature (policy.signing.scope)`,
  flags: buildFlags,
  positionals: ['[DIR]'],
  run: runBuild,
};

function runBuild(flags: FlagValues<typeof buildFlags>, [dir]: string[]): number {
  const key = flags['signing-key'];
  if (!key && (flags['signing-alg'] || flags['key-id'] || flags.scope)) throw new UsageError('--signing-alg, --key-id and --scope need --signing-key');
  const alg = flags['signing-alg'] ?? 'RS256';
  if (!['RS256', 'PS256', 'ES256', 'HS256'].includes(alg)) throw new UsageError(`--signing-alg must be RS256, PS256, ES256 or HS256, not "${alg}"`);
  if (dir === undefined && !key && !flags.entrypoint && !flags.revision) {
    // The embedded bundle keeps one recipe, with every entrypoint the shipped policies define.
    const script = path.join(packageRoot(), 'scripts', 'build-policy.sh');
    return spawnSync('bash', [script, ...(flags.out ? [path.resolve(flags.out)] : [])], { stdio: 'inherit' }).status === 0 ? 0 : 1;
  }
  const out = flags.out ?? 'bundle.tar.gz';
  const source = path.resolve(dir ?? policiesDir());
  const embedded = source === policiesDir();
  const revision = buildBundle({
    dir: source, out, revision: flags.revision,
    entrypoints: flags.entrypoint ?? (embedded ? EMBEDDED_BUILD.entrypoints : [DEFAULT_ENTRYPOINT]),
    ignore: embedded ? EMBEDDED_BUILD.ignore : [],
    signing: key ? { key, alg, keyId: flags['key-id'], scope: flags.scope } : undefined,
  });
  process.stderr.write(`built ${out} (revision ${revision}${key ? `, signed with ${alg}` : ''})\n`);
  return 0;
}

const test: Command<FlagSpecs> = {
  name: 'tollgate policy test',
  usage: '[DIR]',
  help: 'Runs the Rego tests (*_test.rego) in DIR (default: the embedded policies/) with the pinned `opa test`.',
  flags: {},
  positionals: ['[DIR]'],
  run: (_flags, [dir]) => (spawnSync(opaPath(), ['test', '--ignore', 'build', path.resolve(dir ?? policiesDir())], { stdio: 'inherit' }).status === 0 ? 0 : 1),
};

const inspectFlags = { bundle: { type: 'string' }, entrypoint: { type: 'string' } } as const;

const inspect: Command<typeof inspectFlags> = {
  name: 'tollgate policy inspect',
  usage: '[--bundle FILE] [--entrypoint E]',
  help: `Loads a bundle as \`tollgate serve\` would and prints its revision, entrypoints and the builtins its module needs.

  --bundle FILE           the bundle (default: the embedded one)
  --entrypoint E          the decision entrypoint it must have (default: ${DEFAULT_ENTRYPOINT})`,
  flags: inspectFlags,
  positionals: [],
  run: async (flags) => {
    const bundle = flags.bundle ?? defaultBundlePath();
    const engine = await loadBundle(bundle, flags.entrypoint);
    process.stdout.write(`${JSON.stringify({ bundle, revision: engine.revision, entrypoints: engine.entrypoints, required_builtins: engine.requiredBuiltins }, null, 2)}\n`);
    return 0;
  },
};

const commands = [build, test, evalCommand, replayCommand, inspect].map((c) => subcommand(c as Command<FlagSpecs>));

/** `tollgate policy <command>`; index.ts imports this module only when a policy command runs. */
export function policyCommand(args: string[]): Promise<number> {
  return runGroup('tollgate policy', commands, args);
}
