import type { Decision } from '../../core/types.js';
import type { HttpAnswer } from '../http/answer.js';
import { clientResponseHeaders, denialBody } from '../http/denial.js';

/** Envoy allows on exactly 200; any other status is the client's answer (5xx is Envoy's status_on_error). */
export function encodeEnvoyHttpDecision(d: Decision): HttpAnswer {
  if (d.allow) {
    // allowed_upstream_headers picks the upstream ones; allowed_client_headers_on_success the others.
    const headers = { ...d.responseHeaders, ...d.headers };
    // Envoy removes after it sets, so a header Tollgate sets (a client's forged identity header) must not be listed.
    const remove = d.removeHeaders.filter((name) => !(name in d.headers));
    if (remove.length > 0) headers['x-envoy-auth-headers-to-remove'] = remove.join(', ');
    return { status: 200, headers };
  }
  return { status: d.status === 200 ? 403 : d.status, headers: { ...d.headers, ...clientResponseHeaders(d) }, body: denialBody(d) };
}
