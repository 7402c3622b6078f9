import type { Authenticator } from '../core/pipeline.js';
import type { AuthzRequest, Principal } from '../core/types.js';
import { looksLikeJwt } from './api-keys.js';
import { actorChain, jwtCaller, principalFromClaims } from './jwt-claims.js';
import type { JwtVerifier } from './jwt-verifier.js';

/**
 * Bearer JWTs from the configured issuers. A token carrying an RFC 8693 `act` claim authenticates
 * its current actor (the agent that is calling); the user it acts for becomes the delegation.
 */
export class JwtAuthenticator implements Authenticator {
  readonly name = 'jwt';
  readonly credentialHeaders: readonly string[];

  constructor(private readonly verifier: JwtVerifier) {
    this.credentialHeaders = verifier.tokenHeaders;
  }

  async authenticate(req: AuthzRequest): Promise<Principal | null> {
    for (const header of this.credentialHeaders) {
      const token = presentedToken(req.headers, header);
      if (token === undefined) continue;
      const verified = await this.verifier.verify(token, header, true);
      const principal = principalFromClaims(verified.payload, verified.issuer.config.claims);
      const [actor] = actorChain(verified.payload);
      return actor === undefined ? principal : actingParty(principal, actor);
    }
    return null;
  }
}

/**
 * The token in `header`: `Authorization: Bearer <JWT>` (other bearer values are API keys, left to
 * that authenticator), or the whole value of any other configured header.
 */
function presentedToken(headers: Record<string, string>, header: string): string | undefined {
  const value = headers[header];
  if (value === undefined) return undefined;
  if (header !== 'authorization') return value.trim();
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return m && looksLikeJwt(m[1]) ? m[1] : undefined;
}

/**
 * The agent named by `act`. It holds what the token grants (scopes, models): RFC 8693 issues them
 * to the actor for this user. Groups describe the user, so the actor gets none. The issuer named the
 * actor, so the actor's id and key id are in that issuer's namespace.
 */
function actingParty(token: Principal, actor: string): Principal {
  return { ...token, ...jwtCaller(token.issuer as string, actor), groups: [] };
}
