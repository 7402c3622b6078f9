import { TollgateError } from './errors.js';
import { isObject } from './is-object.js';
import type { Decision } from './types.js';

/** What a policy said, normalised. Accepts Tollgate's shape and OPA-Envoy's (`allowed`, `http_status`, ...). */
export type PolicyVerdict = Pick<Decision, 'allow' | 'status' | 'reason' | 'headers' | 'responseHeaders' | 'removeHeaders' | 'dynamicMetadata'> & {
  /** The deny body the policy wrote, as text. */
  body?: string;
};

/** Turns the raw Wasm result set into a verdict; anything undefined or malformed throws (and so denies). */
export function verdictFromResultSet(resultSet: unknown): PolicyVerdict {
  if (!Array.isArray(resultSet) || resultSet.length === 0 || !isObject(resultSet[0]) || !('result' in resultSet[0])) {
    throw new TollgateError('ERR_POLICY_RESULT_UNDEFINED', 'policy decision is undefined for this input');
  }
  return verdictFromResult(resultSet[0].result);
}

export function verdictFromResult(result: unknown): PolicyVerdict {
  if (typeof result === 'boolean') {
    return { allow: result, status: result ? 200 : 403, reason: result ? 'allowed' : 'denied', headers: {}, responseHeaders: {}, removeHeaders: [] };
  }
  if (!isObject(result)) throw invalid('decision must be a boolean or an object');
  const allow = result.allow ?? result.allowed;
  if (typeof allow !== 'boolean') throw invalid('decision.allow (or allowed) must be a boolean');
  const status = result.status ?? result.http_status ?? (allow ? 200 : 403);
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    throw invalid('decision.status must be an HTTP status code');
  }
  if (allow && status !== 200) throw invalid('an allowing decision must have status 200');
  if (!allow && status < 400) throw invalid('a denying decision must have a 4xx or 5xx status');
  const reason = result.reason ?? (allow ? 'allowed' : 'denied');
  if (typeof reason !== 'string' || !/^[a-z0-9_.:-]{1,64}$/.test(reason)) {
    throw invalid('decision.reason must be a short lower-case code');
  }
  const verdict: PolicyVerdict = {
    allow,
    status,
    reason,
    headers: headerMap(result.headers, 'headers'),
    responseHeaders: headerMap(result.response_headers ?? result.response_headers_to_add, 'response_headers'),
    removeHeaders: stringList(result.request_headers_to_remove, 'request_headers_to_remove'),
  };
  if (result.body !== undefined) verdict.body = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
  if (result.dynamic_metadata !== undefined) {
    if (!isObject(result.dynamic_metadata)) throw invalid('decision.dynamic_metadata must be an object');
    verdict.dynamicMetadata = result.dynamic_metadata;
  }
  return verdict;
}

/** What every HTTP stack accepts in a header value: no control characters, nothing beyond Latin-1. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Header objects map names to a string or a list of strings (joined, as HTTP folds them). */
function headerMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalid(`decision.${field} must be an object`);
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw invalid(`decision.${field} has an invalid header name`);
    const text = typeof v === 'string' ? v : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join(', ') : undefined;
    if (text === undefined) throw invalid(`decision.${field}.${name} must be a string or a list of strings`);
    if (!HEADER_VALUE.test(text)) throw invalid(`decision.${field}.${name} has characters a header cannot carry`);
    out[name.toLowerCase()] = text;
  }
  return out;
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) throw invalid(`decision.${field} must be a list of strings`);
  return value.map((x) => x.toLowerCase());
}

function invalid(message: string): TollgateError {
  return new TollgateError('ERR_POLICY_RESULT_INVALID', message);
}
