import type { Logger } from 'winston';
import type { DecisionObserver } from '../core/pipeline-ports.js';
import type { AccessFacts, AuthzRequest, Decision } from '../core/types.js';
import { decisionResult } from './decision-result.js';
import { recordedInput } from './recorded-input.js';

/** One JSON decision record per decision (docs/audit.md lists the fields). */
export class DecisionAuditLog implements DecisionObserver {
  constructor(private readonly audit: Logger) {}

  onDecision(req: AuthzRequest, d: Decision): void {
    // The one-argument form is winston's hot path: no message-format scan, no copy of the record.
    this.audit.info({
      message: 'decision',
      log_type: 'decision',
      decision_id: d.decisionId,
      gateway: req.gateway,
      method: req.method,
      path: req.path,
      source_address: req.source.address ?? null,
      subject: d.principal?.subject ?? null,
      identity_id: d.principal?.id ?? null,
      credential: d.principal?.kind ?? 'none',
      key_id: d.principal?.keyId ?? null,
      issuer: d.principal?.issuer ?? null,
      workload: d.principal?.workload?.spiffeId ?? null,
      on_behalf_of: d.delegation?.user.subject ?? null,
      delegation_chain: d.delegation?.chain ?? null,
      policy_revision: d.policyRevision,
      result: decisionResult(req, d),
      status: d.status,
      reason: d.reason,
      error_code: d.errorCode ?? null,
      model: d.llm.model,
      models: d.llm.models,
      operation: d.llm.operation,
      stream: d.llm.stream,
      tools: d.llm.tools,
      findings: d.llm.findings,
      mcp_methods: d.mcp ? d.mcp.calls.map((c) => c.method) : null,
      mcp_tools: d.mcp ? d.mcp.calls.flatMap((c) => (c.tool?.name ? [c.tool.name] : [])) : null,
      duration_ms: Math.round(d.durationMs * 1000) / 1000,
      // AuthZEN questions only: what was asked (the caller is the identity fields above).
      ...(d.access && { access: accessFields(d.access) }),
      // Present only when set (JSON drops undefined): a shadow disagreement, a dry-run deny, the input.
      shadow: d.shadow,
      dry_run: d.dryRun && { result: d.dryRun.result, status: d.dryRun.status, reason: d.dryRun.reason, error_code: d.dryRun.errorCode ?? null },
      input: d.policyInput && recordedInput(d.policyInput),
    });
  }
}

function accessFields(a: AccessFacts): Record<string, unknown> {
  return {
    subject_type: a.subjectType, subject_id: a.subjectId, action: a.action,
    resource_type: a.resourceType, resource_id: a.resourceId, tenant: a.tenant,
  };
}
