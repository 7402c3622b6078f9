import type { JWTPayload } from 'jose';
import type { ClaimMapping } from '../../config/identity-schema.js';
import { TollgateError } from '../../core/errors.js';
import { isObject } from '../../core/is-object.js';
import type { Principal } from '../../core/types.js';
import { jwtKeyId, principalId } from '../principal-id.js';
import { limitsFromClaims } from './claim-limits.js';
import { toolsFromScopes } from '../tool-grants.js';

/**
 * Reads a claim by name or dotted path. Claim names may themselves contain dots
 * ("kubernetes.io", "https://example.com/groups"), so at each level the longest matching key wins.
 */
export function readClaim(claims: Record<string, unknown>, path: string): unknown {
  return readSegments(claims, path.split('.'));
}

function readSegments(node: unknown, segments: string[]): unknown {
  if (segments.length === 0) return node;
  if (!isObject(node)) return undefined;
  for (let n = segments.length; n > 0; n--) {
    const key = segments.slice(0, n).join('.');
    if (Object.hasOwn(node, key)) return readSegments(node[key], segments.slice(n));
  }
  return undefined;
}

/** A claim as a list of strings: arrays as they are, strings split on spaces (OAuth `scope`). */
function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * Who the verified claims describe, through the issuer's claim mapping. The claims are verified, so
 * `iss` is the configured issuer. `jti` stays in the claims; it is not the key id (see jwtKeyId).
 */
export function principalFromClaims(claims: JWTPayload, mapping: ClaimMapping): Principal {
  const subject = readClaim(claims, mapping.subject);
  if (typeof subject !== 'string' || subject === '') throw new TollgateError('ERR_JWT_CLAIM_INVALID', `token has no string "${mapping.subject}" claim`);
  const tenant = mapping.tenant ? readClaim(claims, mapping.tenant) : undefined;
  const scopes = [...new Set(mapping.scopes.flatMap((path) => stringList(readClaim(claims, path))))];
  return {
    kind: 'jwt',
    ...jwtCaller(claims.iss as string, subject),
    issuer: claims.iss,
    scopes,
    models: mapping.models ? stringList(readClaim(claims, mapping.models)) : [],
    tools: toolsFromScopes(scopes),
    groups: mapping.groups ? stringList(readClaim(claims, mapping.groups)) : [],
    tenant: typeof tenant === 'string' ? tenant : undefined,
    claims,
    expiresAt: claims.exp,
    limits: limitsFromClaims(claims, mapping),
  };
}

/** Identity fields of the JWT caller `subject` of `issuer`: its namespaced id and per-caller key id. */
export function jwtCaller(issuer: string, subject: string): Pick<Principal, 'id' | 'subject' | 'keyId'> {
  const id = principalId('jwt', subject, issuer);
  return { id, subject, keyId: jwtKeyId(id) };
}

/**
 * The RFC 8693 `act` chain, current actor first: `{sub: user, act: {sub: agent, act: {sub: first}}}`
 * gives ['agent', 'first']. Empty when the token has no `act`.
 */
export function actorChain(claims: JWTPayload): string[] {
  const chain: string[] = [];
  let act = claims.act;
  while (act !== undefined) {
    if (!isObject(act) || typeof act.sub !== 'string' || act.sub === '') throw new TollgateError('ERR_DELEGATION_INVALID', 'token has an "act" claim without a string "sub"');
    if (chain.length >= MAX_CHAIN) throw new TollgateError('ERR_DELEGATION_INVALID', `delegation chain is longer than ${MAX_CHAIN}`);
    chain.push(act.sub);
    act = act.act;
  }
  return chain;
}

const MAX_CHAIN = 8;
