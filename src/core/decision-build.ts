import type { PolicyVerdict } from './decision.js';
import type { TollgateError } from './errors.js';
import { IDENTITY_HEADERS, identityHeaders } from './identity-headers.js';
import type { AuthzRequest, Decision, Delegation, LlmFacts, Principal } from './types.js';

/** Who asked and what the request reads as: the facts every decision carries. */
export interface DecisionFacts {
  decisionId: string;
  principal: Principal | null;
  delegation: Delegation | undefined;
  llm: LlmFacts;
}

/**
 * The decision a policy verdict makes. On allow, Tollgate's identity headers are set after the
 * policy's (so neither a client nor a policy can forge one), and `credentialHeaders`, when given, are
 * asked to be removed before the upstream (upstream.remove_credential_headers).
 */
export function decisionFromVerdict(facts: DecisionFacts, req: AuthzRequest, verdict: PolicyVerdict, credentialHeaders: ReadonlySet<string> | null): Decision {
  const decision = baseDecision(facts, verdict.allow, verdict.status, verdict.reason);
  decision.responseHeaders = verdict.responseHeaders;
  decision.dynamicMetadata = verdict.dynamicMetadata;
  if (verdict.allow) {
    decision.headers = { ...verdict.headers, ...identityHeaders(facts.decisionId, facts.principal, facts.delegation) };
    decision.removeHeaders = [...verdict.removeHeaders, ...IDENTITY_HEADERS.filter((h) => h in req.headers)];
    for (const name of credentialHeaders ?? []) if (name in req.headers) decision.removeHeaders.push(name);
  } else {
    decision.headers = verdict.headers;
    decision.denial = { code: verdict.reason, message: `denied by policy: ${verdict.reason}` };
    if (verdict.body !== undefined) decision.denial.policyBody = verdict.body;
    if (verdict.status === 401) decision.denial.challenge = {};
  }
  return decision;
}

/** The deny a failure makes: its status, reason and ERR_* code; a 401 carries an invalid_token challenge. */
export function decisionFromFailure(facts: DecisionFacts, err: TollgateError): Decision {
  const decision = baseDecision(facts, false, err.status, err.reason);
  decision.errorCode = err.code;
  decision.denial = { code: err.reason, message: err.message };
  if (err.status === 401) decision.denial.challenge = { error: 'invalid_token' };
  return decision;
}

function baseDecision({ decisionId, principal, delegation, llm }: DecisionFacts, allow: boolean, status: number, reason: string): Decision {
  return {
    decisionId, allow, status, reason, llm,
    headers: {}, responseHeaders: {}, removeHeaders: [],
    principal: principal ?? undefined, delegation,
    policyRevision: '', durationMs: 0,
  };
}
