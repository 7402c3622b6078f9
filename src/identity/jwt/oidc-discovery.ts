import { isObject } from '../../core/is-object.js';
import { TollgateError } from '../../core/errors.js';

/**
 * The JWKS URL from `<issuer>/.well-known/openid-configuration`. The document must name the same
 * issuer (OpenID Connect Discovery 1.0, section 4.3), or another party's keys could be picked up.
 */
export async function discoverJwksUri(issuer: string, fetchJson: (url: string) => Promise<unknown>): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const doc = await fetchJson(url);
  if (!isObject(doc) || doc.issuer !== issuer) throw new TollgateError('ERR_ISSUER_INVALID', `${url}: discovery document does not name issuer ${issuer}`);
  if (typeof doc.jwks_uri !== 'string') throw new TollgateError('ERR_ISSUER_INVALID', `${url}: discovery document has no jwks_uri`);
  return doc.jwks_uri;
}
