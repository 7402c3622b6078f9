import type { Decision } from '../../core/types.js';
import { clientResponseHeaders, denialBody } from '../http/denial.js';
import { errorBody } from '../../server/body.js';
import { parseMaybeJson } from '../http/json.js';
import { RpcCode, type CheckResponseMessage, type HeaderValueOptionMessage } from './messages.js';
import { toStruct } from './struct.js';

/** The HTTP statuses envoy.type.v3.StatusCode defines; Envoy rejects any other number. */
const ENVOY_STATUS_CODES = new Set([
  100, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422,
  423, 424, 426, 428, 429, 431, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/**
 * Decision -> CheckResponse. Always a normal answer: a deny is status != OK plus denied_response,
 * never a gRPC error and never `error_response` (both let failure_mode_allow turn it into an allow).
 */
export function encodeCheckResponse(d: Decision): CheckResponseMessage {
  const dynamic_metadata = toStruct({ ...d.dynamicMetadata, ...tollgateMetadata(d) });
  if (d.allow) {
    return {
      status: { code: RpcCode.OK, message: d.reason },
      ok_response: { ...upstreamMutations(d), response_headers_to_add: headerOptions(d.responseHeaders) },
      dynamic_metadata,
    };
  }
  const body = denialBody(d) ?? '';
  const headers: Record<string, string> = { ...d.headers, ...clientResponseHeaders(d) };
  if (!('content-type' in headers) && isJsonBody(d)) headers['content-type'] = 'application/json';
  return {
    status: { code: d.status === 401 ? RpcCode.UNAUTHENTICATED : RpcCode.PERMISSION_DENIED, message: d.reason },
    denied_response: { status: { code: envoyStatus(d.status) }, headers: headerOptions(headers), body },
    dynamic_metadata,
  };
}

/** Tollgate's error body is JSON; a policy's own body only when it parses as JSON. */
function isJsonBody({ denial }: Decision): boolean {
  if (!denial) return false;
  return denial.policyBody === undefined || parseMaybeJson(denial.policyBody) !== undefined;
}

/**
 * Envoy sets ok_response.headers first and applies headers_to_remove after them, so a name in both
 * would lose the value just set. Setting already overwrites a client-sent copy; an empty identity
 * header is removed instead of set (some Envoy versions drop empty values, which would keep the
 * client's spoofed copy).
 */
function upstreamMutations(d: Decision): { headers: HeaderValueOptionMessage[]; headers_to_remove: string[] } {
  const set: Record<string, string> = {};
  const remove = new Set(d.removeHeaders);
  for (const [name, value] of Object.entries(d.headers)) {
    if (value === '') remove.add(name);
    else set[name] = value;
  }
  for (const name of Object.keys(set)) remove.delete(name);
  return { headers: headerOptions(set), headers_to_remove: [...remove] };
}

/** `append: false` means overwrite in every Envoy version (newer ones map it onto append_action). */
function headerOptions(headers: Record<string, string>): HeaderValueOptionMessage[] {
  return Object.entries(headers).map(([key, value]) => ({ header: { key, value }, append: { value: false } }));
}

/** Written last so a policy cannot forge them; readable in Envoy as envoy.filters.http.ext_authz metadata. */
function tollgateMetadata(d: Decision): Record<string, unknown> {
  const meta: Record<string, unknown> = { decision_id: d.decisionId, reason: d.reason };
  if (d.principal) meta.subject = d.principal.subject;
  if (d.principal?.keyId) meta.key_id = d.principal.keyId;
  if (d.policyRevision) meta.policy_revision = d.policyRevision;
  return meta;
}

/** A status outside Envoy's enum would be rejected; fall back to the generic one of its class. */
export function envoyStatus(status: number): number {
  if (ENVOY_STATUS_CODES.has(status)) return status;
  return status >= 500 ? 500 : 403;
}

/** The answer when even encoding failed: a fixed, well-formed deny. */
export function internalErrorResponse(): CheckResponseMessage {
  const body = JSON.stringify(errorBody('internal_error', 'authorization failed'));
  return {
    status: { code: RpcCode.PERMISSION_DENIED, message: 'internal_error' },
    denied_response: { status: { code: 500 }, headers: headerOptions({ 'content-type': 'application/json' }), body },
    dynamic_metadata: toStruct({ reason: 'internal_error' }),
  };
}
