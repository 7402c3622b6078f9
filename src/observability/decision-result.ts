import type { AuthzRequest, Decision } from '../core/types.js';

/**
 * The result label of audit records and metrics. A raw OPA Data API evaluation authorises nobody
 * (the caller wrote the input, identity included), so it is an "evaluation", never an allow or a deny.
 */
export function decisionResult(req: AuthzRequest, d: Decision): 'allow' | 'deny' | 'evaluation' {
  if (req.gateway === 'opa_data_api') return 'evaluation';
  return d.allow ? 'allow' : 'deny';
}
