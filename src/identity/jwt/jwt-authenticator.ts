import type { Authenticator } from '../../core/pipeline-ports.js';
import type { AuthzRequest, Principal } from '../../core/types.js';
import { bearerToken, looksLikeJwt } from '../credentials.js';
import { actorChain, jwtCaller, principalFromClaims } from './claims.js';
import type { JwtVerifier } from './verifier.js';

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
 * The token in `header`: a JWT-shaped `Authorization: Bearer` value (other bearer values are other
 * authenticators'), or the whole value of any other configured header.
 */
function presentedToken(headers: Record<string, string>, header: string): string | undefined {
  if (header !== 'authorization') return headers[header]?.trim();
  const token = bearerToken(headers);
  return token !== undefined && looksLikeJwt(token) ? token : undefined;
}

/**
 * The agent named by `act`. It holds what the token grants (scopes, models): RFC 8693 issues them
 * to the actor for this user. Groups describe the user, so the actor gets none. The issuer named the
 * actor, so the actor's id and key id are in that issuer's namespace.
 */
function actingParty(token: Principal, actor: string): Principal {
  return { ...token, ...jwtCaller(token.issuer as string, actor), groups: [] };
}
