import type { Delegation, Principal } from './types.js';

/** Headers Tollgate owns: never trusted from a client, never shown to policy as client input. */
export const IDENTITY_HEADERS = [
  'x-tollgate-subject',
  'x-tollgate-key-id',
  'x-tollgate-credential',
  'x-tollgate-decision-id',
  'x-tollgate-on-behalf-of',
] as const;

/** Every identity header Tollgate owns, always present (empty when unknown) so none can be smuggled through. */
export function identityHeaders(decisionId: string, principal: Principal | null, delegation?: Delegation): Record<string, string> {
  return {
    'x-tollgate-subject': headerSafe(principal?.subject ?? ''),
    'x-tollgate-key-id': headerSafe(principal?.keyId ?? ''),
    'x-tollgate-credential': principal?.kind ?? 'none',
    'x-tollgate-decision-id': decisionId,
    'x-tollgate-on-behalf-of': headerSafe(delegation?.user.subject ?? ''),
  };
}

/**
 * Subjects and key ids come from token claims and may hold any Unicode or a CR/LF; a header carries
 * printable ASCII only, so such a value is percent-encoded (UTF-8) rather than breaking the gateway's
 * answer. A literal '%' also triggers encoding, so a decoded value is never ambiguous.
 */
function headerSafe(value: string): string {
  return /^[\x20-\x24\x26-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}
