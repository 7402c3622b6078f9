import { hash } from 'node:crypto';
import type { CredentialKind } from '../core/types.js';

/**
 * The identity key that grants and usage counters are keyed by (docs/identity.md "Identity ids").
 * Subjects alone are not unique: an API key subject, a `sub` from each issuer and an mTLS peer can
 * share a name, and must not share grants or budgets.
 *
 *   api_key:<subject>   mtls:<subject>   jwt:<issuer, with % and # percent-encoded>#<subject>
 *
 * Unambiguous: the kind ends at the first ':' (no kind contains one); in a JWT id the encoded issuer
 * holds no '#', so the first '#' ends it, and '%' is encoded too, so the issuer decodes one way only.
 * Subjects are left as they are, so ids stay readable in policy data.
 */
export function principalId(kind: Exclude<CredentialKind, 'none'>, subject: string, issuer?: string): string {
  if (kind !== 'jwt') return `${kind}:${subject}`;
  if (issuer === undefined) throw new Error('a JWT identity needs its issuer');
  return `jwt:${issuer.replaceAll('%', '%25').replaceAll('#', '%23')}#${subject}`;
}

/**
 * The key id of a JWT caller: one per (issuer, subject), stable across its tokens, so a gateway that
 * keys limits by key id (LiteLLM) gives each caller its own. Never the IdP's signing `kid` (shared
 * by every user of an issuer) nor `jti` (new with every token).
 */
export function jwtKeyId(id: string): string {
  return `jwt_${hash('sha256', id, 'hex').slice(0, 16)}`;
}
