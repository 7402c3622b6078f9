/**
 * Every failure Tollgate reports carries one of these codes: denies, error bodies
 * (`{"error": {"code": reason, "message"}}`) and load failures. Callers switch on `code`, never on
 * messages. `reason` is the stable string written to decisions, bodies, logs and metrics. Each code
 * is documented in docs/errors.md (a test keeps the two in sync).
 */
export const ERRORS = {
  ERR_CREDENTIAL_INVALID: { status: 401, reason: 'credential_invalid' },
  ERR_CREDENTIAL_EXPIRED: { status: 401, reason: 'credential_expired' },
  ERR_CREDENTIAL_REVOKED: { status: 401, reason: 'credential_revoked' },
  ERR_CREDENTIAL_TOO_LARGE: { status: 401, reason: 'credential_too_large' },
  ERR_JWT_MALFORMED: { status: 401, reason: 'jwt_malformed' },
  ERR_JWT_ISSUER_UNKNOWN: { status: 401, reason: 'jwt_issuer_unknown' },
  ERR_JWT_SIGNATURE_INVALID: { status: 401, reason: 'jwt_signature_invalid' },
  ERR_JWT_ALG_NOT_ALLOWED: { status: 401, reason: 'jwt_alg_not_allowed' },
  ERR_JWT_ALG_NONE: { status: 401, reason: 'jwt_alg_none' },
  ERR_JWT_ALG_CONFUSION: { status: 401, reason: 'jwt_alg_confusion' },
  ERR_JWT_AUDIENCE_INVALID: { status: 401, reason: 'jwt_audience_invalid' },
  ERR_JWT_EXPIRED: { status: 401, reason: 'jwt_expired' },
  ERR_JWT_NOT_YET_VALID: { status: 401, reason: 'jwt_not_yet_valid' },
  ERR_JWT_CLAIM_INVALID: { status: 401, reason: 'jwt_claim_invalid' },
  ERR_JWT_CRIT_UNSUPPORTED: { status: 401, reason: 'jwt_crit_unsupported' },
  ERR_JWT_KEY_NOT_FOUND: { status: 401, reason: 'jwt_key_not_found' },
  ERR_JWKS_UNAVAILABLE: { status: 503, reason: 'jwks_unavailable' },
  ERR_DELEGATION_INVALID: { status: 401, reason: 'delegation_invalid' },
  ERR_XFCC_MALFORMED: { status: 401, reason: 'xfcc_malformed' },
  ERR_SPIFFE_ID_INVALID: { status: 401, reason: 'spiffe_id_invalid' },
  ERR_REQUEST_MALFORMED: { status: 400, reason: 'request_malformed' },
  ERR_REQUEST_TOO_LARGE: { status: 413, reason: 'request_too_large' },
  ERR_PATH_AMBIGUOUS: { status: 400, reason: 'path_ambiguous' },
  ERR_BODY_UNREADABLE: { status: 400, reason: 'body_unreadable' },
  ERR_MODEL_INVALID: { status: 400, reason: 'model_invalid' },
  ERR_MODEL_MISMATCH: { status: 400, reason: 'model_mismatch' },
  ERR_MCP_INVALID: { status: 400, reason: 'mcp_invalid' },
  ERR_MCP_HEADER_MISMATCH: { status: 400, reason: 'mcp_header_mismatch' },
  ERR_POLICY_NOT_READY: { status: 503, reason: 'policy_not_ready' },
  ERR_POLICY_EVAL_FAILED: { status: 500, reason: 'policy_error' },
  ERR_POLICY_RESULT_UNDEFINED: { status: 500, reason: 'policy_undefined' },
  ERR_POLICY_RESULT_INVALID: { status: 500, reason: 'policy_result_invalid' },
  ERR_AUDIT_UNAVAILABLE: { status: 503, reason: 'audit_unavailable' },
  ERR_ANSWER_UNSENDABLE: { status: 500, reason: 'answer_unsendable' },
  ERR_HEADERS_TOO_LARGE: { status: 431, reason: 'request_headers_too_large' },
  ERR_INTERNAL: { status: 500, reason: 'internal_error' },
  ERR_DEPENDENCY_UNAVAILABLE: { status: 503, reason: 'dependency_unavailable' },
  ERR_LIMITS_UNAVAILABLE: { status: 503, reason: 'limits_unavailable' },
  ERR_NOT_FOUND: { status: 404, reason: 'not_found' },
  ERR_UNAUTHENTICATED: { status: 401, reason: 'unauthenticated' },
  ERR_ADMIN_MUTATION_REFUSED: { status: 403, reason: 'admin_mutation_refused' },
  ERR_OUTCOMES_DISABLED: { status: 503, reason: 'outcomes_disabled' },
  ERR_CALLER_UNAUTHENTICATED: { status: 401, reason: 'caller_unauthenticated' },
  ERR_CALLER_SCOPE_MISSING: { status: 403, reason: 'caller_scope_missing' },
  ERR_PAGE_TOKEN_INVALID: { status: 400, reason: 'page_token_invalid' },
  // Load-time failures: they stop a start or refuse a reload, and never reach a caller.
  ERR_BUNDLE_UNREADABLE: { status: 500, reason: 'bundle_unreadable' },
  ERR_BUNDLE_INVALID: { status: 500, reason: 'bundle_invalid' },
  ERR_BUNDLE_SIGNATURE_INVALID: { status: 500, reason: 'bundle_signature_invalid' },
  ERR_BUNDLE_DOWNLOAD_FAILED: { status: 500, reason: 'bundle_download_failed' },
  ERR_POLICY_ENTRYPOINT_MISSING: { status: 500, reason: 'policy_entrypoint_missing' },
  ERR_POLICY_INCOMPATIBLE: { status: 500, reason: 'policy_incompatible' },
  ERR_SIGNING_KEY_INVALID: { status: 500, reason: 'signing_key_invalid' },
  ERR_KEY_FILE_INVALID: { status: 500, reason: 'key_file_invalid' },
  ERR_ISSUER_INVALID: { status: 500, reason: 'issuer_invalid' },
  ERR_ADMIN_TOKEN_INVALID: { status: 500, reason: 'admin_token_invalid' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class TollgateError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly reason: string;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TollgateError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.reason = ERRORS[code].reason;
  }
}

/** Normalise anything thrown (the opa-wasm SDK throws plain strings) into a TollgateError. */
export function asTollgateError(err: unknown, fallback: ErrorCode = 'ERR_INTERNAL'): TollgateError {
  if (err instanceof TollgateError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TollgateError(fallback, message, { cause: err });
}
