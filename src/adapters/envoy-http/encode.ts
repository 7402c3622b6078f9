import type { Decision } from '../../core/types.js';
import type { HttpAnswer } from '../http-answer.js';

/** Envoy allows on exactly 200; any other status is the client's answer (5xx is Envoy's status_on_error). */
export function encodeEnvoyHttpDecision(d: Decision): HttpAnswer {
  if (d.allow) {
    // allowed_upstream_headers picks the upstream ones; allowed_client_headers_on_success the others.
    const headers = { ...d.responseHeaders, ...d.headers };
    if (d.removeHeaders.length > 0) headers['x-envoy-auth-headers-to-remove'] = d.removeHeaders.join(', ');
    return { status: 200, headers };
  }
  return { status: d.status === 200 ? 403 : d.status, headers: { ...d.headers, ...d.responseHeaders }, body: d.body };
}
