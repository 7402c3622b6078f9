import type { Decision } from '../../core/types.js';
import { clientResponseHeaders, denialBody } from '../http/denial.js';

/** The native API's answer (also what the LiteLLM hook reads); HTTP 200 whenever a decision was made, allow or deny. */
export function encodeNativeDecision(d: Decision): Record<string, unknown> {
  return {
    allow: d.allow,
    status: d.status,
    reason: d.reason,
    decision_id: d.decisionId,
    policy_revision: d.policyRevision,
    headers: d.headers,
    response_headers: clientResponseHeaders(d),
    remove_headers: d.removeHeaders,
    dynamic_metadata: d.dynamicMetadata ?? {},
    body: denialBody(d),
    identity: d.principal
      ? {
        id: d.principal.id,
        subject: d.principal.subject,
        credential: d.principal.kind,
        key_id: d.principal.keyId ?? null,
        issuer: d.principal.issuer ?? null,
        tenant: d.principal.tenant ?? null,
        scopes: d.principal.scopes,
        models: d.principal.models,
        groups: d.principal.groups,
        on_behalf_of: d.delegation?.user.subject ?? null,
      }
      : null,
    model: d.llm.model,
    models: d.llm.models,
  };
}
