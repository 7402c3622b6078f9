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

/**
 * policy.mode dry_run: a deny by the policy becomes an allow (reason `dry_run`) that carries the deny it
 * stands in for, so the record and tollgate_dry_run_denied_total show what enforcement would do.
 * `grant` sets the allow's headers as the pipeline sets them for any allow.
 */
export function dryRunAllow(decision: Decision, grant: (allowed: Decision) => void): Decision {
  if (decision.allow || (decision.errorCode !== undefined && !POLICY_FAILURES.has(decision.errorCode))) return decision;
  const allowed: Decision = {
    ...decision,
    allow: true, status: 200, reason: 'dry_run', responseHeaders: {}, denial: undefined, errorCode: undefined,
    dryRun: { result: 'deny', status: decision.status, reason: decision.reason, errorCode: decision.errorCode },
  };
  grant(allowed);
  return allowed;
}
