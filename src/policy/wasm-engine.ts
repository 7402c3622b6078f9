import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { TollgateError } from '../core/errors.js';
import type { PolicyEngine } from '../core/pipeline-ports.js';
import { bundleFromFiles, readBundleFiles, type BundleManifest } from './bundle.js';
import { checkBundleSignature, type BundleVerifier } from './bundle-signature.js';
import { hostBuiltins, sdkBuiltinNames } from './host-builtins.js';
import { JsonEvaluator } from './json-evaluator.js';

type LoadedPolicy = Awaited<ReturnType<typeof loadPolicy>>;

export interface WasmEngineOptions {
  /** Decision entrypoint, slash-separated (e.g. tollgate/authz/decision). */
  entrypoint: string;
  /** Other entrypoints the bundle must have (an enabled AuthZEN adapter's), checked at load like the decision one. */
  requiredEntrypoints?: readonly string[];
  /** Upper bound of Wasm linear memory in 64 KiB pages; bounds what a huge input or data set can take. */
  maxMemoryPages: number;
  now: () => number;
  /** policy.signing: every bundle must carry a signature this verifies; unset: a signed bundle is refused. */
  verifier?: BundleVerifier;
  /** Offline tools (policy eval, replay, inspect) read signed and unsigned bundles alike. */
  ignoreSignature?: boolean;
}

/** One loaded bundle: an opa-wasm instance with its data, its decision entrypoint resolved by name. */
export class WasmPolicyEngine implements PolicyEngine {
  readonly ready = true;
  private readonly evaluator: JsonEvaluator;

  private constructor(
    private readonly policy: LoadedPolicy,
    /** A Map, so a name like "constructor" or "__proto__" is just a missing entrypoint, never a prototype member. */
    private readonly entrypointIds: ReadonlyMap<string, number>,
    private readonly entrypointId: number,
    readonly manifest: BundleManifest,
    readonly requiredBuiltins: string[],
    private readonly data: unknown,
  ) {
    this.evaluator = new JsonEvaluator(policy);
  }

  get revision(): string {
    return this.manifest.revision;
  }

  /**
   * Loads and checks a bundle; throws ERR_BUNDLE_INVALID (bad file), ERR_BUNDLE_SIGNATURE_INVALID,
   * ERR_POLICY_ENTRYPOINT_MISSING or ERR_POLICY_INCOMPATIBLE (unimplemented builtin). Nothing shared is touched until it returns: the caller swaps engines.
   */
  static async fromBundle(gz: Uint8Array, options: WasmEngineOptions): Promise<WasmPolicyEngine> {
    const files = readBundleFiles(gz);
    if (!options.ignoreSignature) await checkBundleSignature(files, options.verifier);
    const bundle = bundleFromFiles(files);
    const builtins = hostBuiltins(options.now);
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(bundle.wasm, { initial: 5, maximum: options.maxMemoryPages }, builtins);
    } catch (err) {
      throw new TollgateError('ERR_BUNDLE_INVALID', `policy.wasm could not be loaded: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (!(policy.minorVersion >= 2)) {
      throw new TollgateError('ERR_BUNDLE_INVALID', `policy.wasm uses OPA Wasm ABI 1.${String(policy.minorVersion)}; Tollgate evaluates ABI 1.2 or later (opa_eval): rebuild it with a current OPA`);
    }
    const required = requiredBuiltinNames(policy);
    const available = new Set([...sdkBuiltinNames(), ...Object.keys(builtins)]);
    const missing = required.filter((name) => !available.has(name));
    if (missing.length > 0) {
      throw new TollgateError('ERR_POLICY_INCOMPATIBLE', `policy needs builtins that are not available in Wasm here: ${missing.join(', ')}`);
    }
    const entrypointIds = new Map(Object.entries(policy.entrypoints as Record<string, number>));
    for (const name of [options.entrypoint, ...(options.requiredEntrypoints ?? [])]) {
      if (!entrypointIds.has(name)) {
        throw new TollgateError('ERR_POLICY_ENTRYPOINT_MISSING', `policy has no entrypoint "${name}" (it has: ${[...entrypointIds.keys()].join(', ') || 'none'})`);
      }
    }
    const entrypointId = entrypointIds.get(options.entrypoint)!;
    try {
      policy.setData(bundle.data);
      // One evaluation on an empty input: a module that traps is refused here, not on the first request.
      policy.evaluate({}, entrypointId);
    } catch (err) {
      throw new TollgateError('ERR_BUNDLE_INVALID', `policy could not evaluate with its bundle data: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return new WasmPolicyEngine(policy, entrypointIds, entrypointId, bundle.manifest, required, bundle.data);
  }

  evaluate(input: Record<string, unknown>): unknown {
    const json = JSON.stringify(input);
    lastEvaluated = { input, json };
    return this.evaluator.evaluate(json, this.entrypointId);
  }

  /**
   * Evaluates an input the enforced engine has just evaluated (a shadow candidate's evaluation), on
   * the JSON serialised for it when it is the same object: serialising costs about as much as a
   * fifth of an evaluation. Only the shadow reads it, so an object changed in between could at
   * worst mislabel a shadow comparison, never an answer.
   */
  evaluateAgain(input: Record<string, unknown>): unknown {
    const json = lastEvaluated?.input === input ? lastEvaluated.json : JSON.stringify(input);
    return this.evaluator.evaluate(json, this.entrypointId);
  }

  /** Evaluates any entrypoint by name (OPA Data API); undefined when the bundle has no such entrypoint. */
  evaluateEntrypoint(name: string, input: unknown): unknown[] | undefined {
    const id = this.entrypointIds.get(name);
    if (id === undefined) return undefined;
    return this.policy.evaluate(input as object, id) as unknown[];
  }

  /** Own properties only, so a segment like "__proto__" or "constructor" is just absent. */
  dataAt(path: readonly string[]): unknown {
    let node: unknown = this.data;
    for (const segment of path) {
      if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, segment)) return undefined;
      node = (node as Record<string, unknown>)[segment];
    }
    return node;
  }

  get entrypoints(): string[] {
    return [...this.entrypointIds.keys()];
  }
}

/** Reads the module's builtins() map: the host functions it will call. */
function requiredBuiltinNames(policy: LoadedPolicy): string[] {
  const exports = (policy.wasmInstance as WebAssembly.Instance).exports as unknown as Record<string, (...args: number[]) => number>;
  const addr = exports.opa_json_dump(exports.builtins());
  const bytes = new Uint8Array(policy.mem.buffer);
  let end = addr;
  while (bytes[end] !== 0) end++;
  return Object.keys(JSON.parse(Buffer.from(bytes.subarray(addr, end)).toString('utf8')) as object);
}

/** The input of the last decision evaluation, with the JSON it was evaluated on. */
let lastEvaluated: { input: Record<string, unknown>; json: string } | undefined;
