import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { verdictFromResultSet } from '../core/decision.js';
import { asTollgateError } from '../core/errors.js';
import { opaPath } from '../policy/bundle-build.js';
import { UsageError, type Command } from './args.js';
import { DEFAULT_ENTRYPOINT, loadBundle, policiesDir } from './policy-bundle.js';

const evalFlags = {
  input: { type: 'string' },
  bundle: { type: 'string' },
  entrypoint: { type: 'string' },
  explain: { type: 'boolean' },
  sources: { type: 'string' },
} as const;

export const evalCommand: Command<typeof evalFlags> = {
  name: 'tollgate policy eval',
  usage: '--input FILE [--bundle FILE] [--entrypoint E] [--explain [--sources DIR]]',
  help: `Evaluates a policy input document (docs/policy-input.md; a decision record's "input" with
log.include_input) on a bundle's Wasm module, and prints the decision as Tollgate would make it.

  --input FILE            the policy input, JSON
  --bundle FILE           the bundle (default: the embedded one)
  --entrypoint E          the decision entrypoint (default: ${DEFAULT_ENTRYPOINT})
  --explain               also show which rules fired. The Wasm module keeps no trace, so this runs
                          \`opa eval --explain full\` (OPA's Rego evaluator) on the Rego sources
  --sources DIR           the sources the bundle was built from (required with --bundle; default: policies/)`,
  flags: evalFlags,
  positionals: [],
  run: async (flags) => {
    if (!flags.input) throw new UsageError('--input is required');
    if (flags.sources && !flags.explain) throw new UsageError('--sources needs --explain');
    // opa build compiles the entrypoints into policy.wasm; the Rego it keeps in the bundle lacks their rule bodies.
    if (flags.explain && flags.bundle && !flags.sources) throw new UsageError('--explain on --bundle needs --sources DIR (the bundle keeps no full Rego sources)');
    const input = JSON.parse(readFileSync(flags.input, 'utf8')) as Record<string, unknown>;
    const entrypoint = flags.entrypoint ?? DEFAULT_ENTRYPOINT;
    const engine = await loadBundle(flags.bundle, entrypoint);
    process.stdout.write(`${JSON.stringify({ revision: engine.revision, entrypoint, decision: decide(engine.evaluate(input)) }, null, 2)}\n`);
    if (flags.explain) return explain(flags.input, entrypoint, path.resolve(flags.sources ?? policiesDir()));
    return 0;
  },
};

/** The decision as the pipeline normalises it; an undefined or malformed result is the deny it would be. */
function decide(resultSet: unknown): Record<string, unknown> {
  try {
    const v = verdictFromResultSet(resultSet);
    return { allow: v.allow, status: v.status, reason: v.reason, headers: v.headers, response_headers: v.responseHeaders, remove_headers: v.removeHeaders, ...(v.body !== undefined && { body: v.body }) };
  } catch (err) {
    const failure = asTollgateError(err, 'ERR_POLICY_EVAL_FAILED');
    return { allow: false, status: failure.status, reason: failure.reason, error_code: failure.code, message: failure.message };
  }
}

function explain(inputFile: string, entrypoint: string, sources: string): number {
  process.stdout.write('\nexplanation: OPA\'s Rego evaluator on the sources (the Wasm module keeps no trace; the decision above is the Wasm one)\n');
  const query = `data.${entrypoint.split('/').join('.')}`;
  const result = spawnSync(opaPath(), ['eval', '--explain', 'full', '--format', 'pretty', '--ignore', '*_test.rego', '--ignore', 'build', '-d', sources, '-i', inputFile, query], { stdio: 'inherit' });
  return result.status === 0 ? 0 : 1;
}
