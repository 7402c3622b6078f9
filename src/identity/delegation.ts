import { asTollgateError, TollgateError } from '../core/errors.js';
import type { DelegationResolver } from '../core/pipeline-ports.js';
import type { AuthzRequest, Delegation, Principal } from '../core/types.js';
import { actorChain, principalFromClaims } from './jwt/claims.js';
import type { JwtVerifier } from './jwt/verifier.js';

/**
 * The user an authenticated agent acts for: a user JWT in the on-behalf-of header (verified with the
 * same issuers), or the subject of the agent's own token when it carries an RFC 8693 `act` claim.
 */
export class OnBehalfOfResolver implements DelegationResolver {
  readonly credentialHeaders: readonly string[];

  constructor(private readonly header: string, private readonly verifier: JwtVerifier | undefined) {
    this.credentialHeaders = [header];
  }

  /** Synchronous unless an on-behalf-of token must be verified: most calls carry none. */
  resolve(req: AuthzRequest, principal: Principal): Delegation | undefined | Promise<Delegation> {
    const actTokenIssuer = principal.kind === 'jwt' && principal.claims?.act !== undefined && principal.issuer
      ? this.verifier?.issuer(principal.issuer)
      : undefined;
    const userToken = req.headers[this.header];
    if (userToken !== undefined) {
      if (actTokenIssuer) throw new TollgateError('ERR_DELEGATION_INVALID', 'a token with an "act" claim cannot also carry an on-behalf-of token');
      return this.verifyUser(userToken.trim()).then((user) => ({ user, chain: [principal.subject] }));
    }
    if (!actTokenIssuer || !principal.claims) return undefined;
    // The act token was verified by the JWT authenticator; its `sub` is the user.
    const user = principalFromClaims(principal.claims, actTokenIssuer.config.claims);
    return { user, chain: actorChain(principal.claims) };
  }

  private async verifyUser(token: string): Promise<Principal> {
    if (!this.verifier) throw new TollgateError('ERR_DELEGATION_INVALID', 'an on-behalf-of token needs a JWT issuer to verify it');
    try {
      const verified = await this.verifier.verify(token, this.header, false);
      if (verified.payload.act !== undefined) throw new TollgateError('ERR_DELEGATION_INVALID', 'the on-behalf-of token is itself a delegated token');
      return principalFromClaims(verified.payload, verified.issuer.config.claims);
    } catch (err) {
      const failure = asTollgateError(err, 'ERR_DELEGATION_INVALID');
      // A JWKS outage is ours, not the caller's fault: keep its 503.
      if (failure.code === 'ERR_JWKS_UNAVAILABLE' || failure.code === 'ERR_DELEGATION_INVALID') throw failure;
      throw new TollgateError('ERR_DELEGATION_INVALID', `on-behalf-of token rejected (${failure.reason})`, { cause: err });
    }
  }
}
