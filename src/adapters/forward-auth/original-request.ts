import type { AdaptersConfig } from '../../config/adapters-schema.js';
import type { TollgateError } from '../../core/errors.js';
import { requestMalformed } from '../http/malformed.js';
import { isHttpMethod } from '../http/request-line.js';

export type ForwardAuthDialect = AdaptersConfig['forward_auth']['dialect'];

/** The headers one proxy family names the original request with (lower case, as node gives them). */
interface Family { name: string; uri: readonly string[]; method: string }

/** nginx configs conventionally set X-Original-URI (or Authelia's absolute X-Original-URL) and -Method. */
const ORIGINAL: Family = { name: 'X-Original-*', uri: ['x-original-uri', 'x-original-url'], method: 'x-original-method' };
/** Traefik and Caddy set these themselves, replacing any client copy. */
const FORWARDED: Family = { name: 'X-Forwarded-*', uri: ['x-forwarded-uri'], method: 'x-forwarded-method' };

const TRUSTED: Record<ForwardAuthDialect, Family> = { nginx: ORIGINAL, traefik: FORWARDED, caddy: FORWARDED };

/** Header values as node keeps them: one entry per header line, whatever the name's case. */
export type DistinctHeaders = NodeJS.Dict<string[]>;

export interface OriginalRequest { method: string; target: string }

/**
 * The original method and request target (path and query, as sent), read only from the headers the
 * configured proxy sets. The other family passes through from the client unless the proxy
 * overwrites it, so it is never read, only checked: when present it must name the same request in
 * full. Otherwise a wrong dialect, or a proxy that sets only some of its headers, would let the
 * client choose what gets authorised while the upstream runs something else. Any other shape is a
 * request_malformed deny, never a guess (and never the subrequest's own method: nginx and Traefik
 * always send GET).
 */
export function readOriginalRequest(distinct: DistinctHeaders, dialect: ForwardAuthDialect): OriginalRequest {
  const trusted = TRUSTED[dialect];
  const own = readFamily(trusted, distinct);
  if (own.target === undefined || own.method === undefined) {
    throw malformed(`the ${dialect} dialect needs the proxy to send ${trusted.uri.join(' or ')} and ${trusted.method} (adapters.forward_auth.dialect)`);
  }
  const other = trusted === ORIGINAL ? FORWARDED : ORIGINAL;
  const seen = readFamily(other, distinct);
  if (seen.present && (seen.target !== own.target || seen.method !== own.method)) {
    throw malformed(`${other.name} headers do not name the same request as ${trusted.name}: sent by the client, or adapters.forward_auth.dialect is wrong`);
  }
  return { method: own.method, target: own.target };
}

interface FamilyReading { present: boolean; target?: string; method?: string }

function readFamily(family: Family, distinct: DistinctHeaders): FamilyReading {
  const targets: string[] = [];
  for (const name of family.uri) {
    const value = single(distinct, name);
    if (value !== undefined) targets.push(name === 'x-original-url' ? targetOfUrl(value) : checkedTarget(value, name));
  }
  if (targets.some((t) => t !== targets[0])) throw malformed(`${family.uri.join(' and ')} name different requests`);
  const method = single(distinct, family.method);
  if (method !== undefined && !(isHttpMethod(method) && method === method.toUpperCase())) throw malformed(`${family.method} is not an upper-case HTTP method`);
  return { present: targets.length > 0 || method !== undefined, target: targets[0], method };
}

/**
 * A header sent twice (under any spelling of its name), or one value holding a comma-joined list,
 * means two parties set it: which one the upstream saw is unknowable, so neither is believed.
 * Commas are refused in targets too: no LLM API route or query needs a literal one.
 */
function single(distinct: DistinctHeaders, name: string): string | undefined {
  const values = distinct[name];
  if (values === undefined) return undefined;
  if (values.length !== 1) throw malformed(`${name} sent ${values.length} times`);
  if (values[0].includes(',')) throw malformed(`${name} holds a comma-joined list`);
  return values[0];
}

/** Origin form only: a request line's target never holds whitespace. */
function checkedTarget(value: string, name: string): string {
  if (!value.startsWith('/') || /\s/.test(value)) throw malformed(`${name} is not a request target (a path starting with /)`);
  return value;
}

/** X-Original-URL is absolute ($scheme://$http_host$request_uri): its path and query, left as sent. */
function targetOfUrl(value: string): string {
  const match = /^https?:\/\/[^/?#\s]+(\/[^#\s]*)$/i.exec(value);
  if (match === null) throw malformed('x-original-url is not an absolute http(s) URL with a path');
  return match[1];
}

function malformed(message: string): TollgateError {
  return requestMalformed(`forward-auth: ${message}`);
}
