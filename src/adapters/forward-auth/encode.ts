import type { Decision } from '../../core/types.js';
import type { HttpAnswer } from '../http/answer.js';
import { clientResponseHeaders, denialBody } from '../http/denial.js';

/** nginx auth_request turns any status but 2xx, 401 and 403 into a 500; Traefik and Caddy pass them all. */
const PASSED_DENY_STATUSES = new Set([401, 403, 429]);

/**
 * Allow: 200 with every identity header Tollgate owns (empty when unknown), so a proxy copying them
 * overwrites whatever the client sent, and the response headers (x-ratelimit-*). Deny: 401, 403 or 429 with the challenge/retry headers and
 * the JSON reason; any other deny status (400, 413, 5xx) is sent as 403.
 */
export function encodeForwardAuthDecision(d: Decision): HttpAnswer {
  // The response headers (rate limits) too: a proxy copies those it is told to onto the client's response.
  if (d.allow) return { status: 200, headers: { ...d.responseHeaders, ...d.headers } };
  return {
    status: PASSED_DENY_STATUSES.has(d.status) ? d.status : 403,
    headers: { ...d.headers, ...clientResponseHeaders(d), 'x-tollgate-reason': d.reason },
    body: denialBody(d),
  };
}
