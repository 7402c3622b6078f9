import type { PolicyVerdict } from './decision.js';
import type { ErrorCode } from './errors.js';
import type { Decision } from './types.js';

/**
 * What the policy would have denied: its own denies, and its failures (no bundle yet, an error, an
 * undefined or malformed result). Everything else is not the policy's to waive: a bad credential, a
 * request Tollgate cannot read one way, an audit trail that cannot record.
 */
const POLICY_FAILURES = new Set<string>([
  'ERR_POLICY_NOT_READY', 'ERR_POLICY_EVAL_FAILED', 'ERR_POLICY_RESULT_UNDEFINED', 'ERR_POLICY_RESULT_INVALID',
] satisfies ErrorCode[]);

/** The verdict a dry run answers with: an allow like any other, under its own reason. */
export const DRY_RUN_ALLOW: PolicyVerdict = { allow: true, status: 200, reason: 'dry_run', headers: {}, responseHeaders: {}, removeHeaders: [] };

/**
 * policy.mode dry_run: a deny by the policy becomes the allow `allowed()` builds (the pipeline's own,
 * from DRY_RUN_ALLOW, so identity headers are set as on any allow), carrying the deny it stands in for,
 * so the record and tollgate_dry_run_denied_total show what enforcement would do.
 */
export function dryRunAllow(decision: Decision, allowed: () => Decision): Decision {
  if (decision.allow || (decision.errorCode !== undefined && !POLICY_FAILURES.has(decision.errorCode))) return decision;
  return {
    ...allowed(),
    policyRevision: decision.policyRevision, shadow: decision.shadow, policyInput: decision.policyInput,
    dryRun: { result: 'deny', status: decision.status, reason: decision.reason, errorCode: decision.errorCode },
  };
}
