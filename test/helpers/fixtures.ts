import { unknownEndpointFacts } from '../../src/core/llm.js';
import type { Decision, Principal } from '../../src/core/types.js';

/** An API key caller, svc-a with key k1, granted nothing by its key. */
export function principal(over: Partial<Principal> = {}): Principal {
  return { kind: 'api_key', id: 'api_key:svc-a', subject: 'svc-a', keyId: 'k1', scopes: [], models: [], groups: [], ...over };
}

/** An allow decision (d-1, revision rev1) on a request no endpoint matched; `over` sets the rest. */
export function decision(over: Partial<Decision> = {}): Decision {
  return {
    decisionId: 'd-1', allow: true, status: 200, reason: 'allowed', headers: {}, responseHeaders: {}, removeHeaders: [],
    llm: unknownEndpointFacts(null), policyRevision: 'rev1', durationMs: 1, ...over,
  };
}

/** A policy deny: 403 model_not_allowed with its structured denial. */
export function deniedDecision(over: Partial<Decision> = {}): Decision {
  return decision({ allow: false, status: 403, reason: 'model_not_allowed', denial: { code: 'model_not_allowed', message: 'm' }, ...over });
}
