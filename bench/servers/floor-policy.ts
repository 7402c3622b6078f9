import { readFileSync } from 'node:fs';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { readBundle } from '../../src/policy/bundle.js';
import { JsonEvaluator } from '../../src/policy/json-evaluator.js';
import { policyInput } from '../lib/fixtures.js';

/** What the floor servers take from a request for its policy input. */
export interface FloorRequest { method: string; path: string; headers: Record<string, string>; model: unknown }

/**
 * The bundle's tollgate/authz/decision evaluated as Tollgate's engine does it (the input's JSON
 * written into Wasm memory, opa_eval on it), on the tollgate.input/v1 document of the request: the
 * evaluation every floor with policy pays. True when the policy allows.
 */
export async function floorPolicy(bundleFile: string, gateway: string): Promise<(request: FloorRequest) => boolean> {
  const bundle = readBundle(readFileSync(bundleFile));
  const policy = await loadPolicy(bundle.wasm, { initial: 5, maximum: 1024 });
  policy.setData(bundle.data as object);
  const entrypoint = (policy.entrypoints as Record<string, number>)['tollgate/authz/decision'];
  const evaluator = new JsonEvaluator(policy);
  return ({ method, path, headers, model }) => {
    const input = policyInput('bench-app', gateway, Date.now());
    const { authorization: _credential, ...forwarded } = headers;
    Object.assign(input.request as object, { method, path, raw_path: path, headers: forwarded });
    Object.assign(input.llm as object, { model, models: [model] });
    const result = evaluator.evaluate(JSON.stringify(input), entrypoint) as Array<{ result?: { allow?: boolean } }>;
    return result[0]?.result?.allow === true;
  };
}
