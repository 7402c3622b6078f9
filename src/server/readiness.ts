import { TollgateError } from '../core/errors.js';
import type { AuditTrail } from '../observability/audit-trail.js';
import type { PolicyEngine } from '../core/pipeline-ports.js';

const NOT_READY_POLICY = new TollgateError('ERR_POLICY_NOT_READY', 'no policy bundle is loaded').reason;

/** Why a process cannot decide yet (no policy, or an audit sink that refuses records), or null when it can. */
export function notReadyReason(engine: PolicyEngine | undefined, audit: AuditTrail): string | null {
  if (!engine) return NOT_READY_POLICY;
  return audit.healthy ? null : 'audit_unavailable';
}
