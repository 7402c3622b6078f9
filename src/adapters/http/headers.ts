import type { IncomingMessage } from 'node:http';
import { requestMalformed } from './malformed.js';

/** Header names to lower case; list values joined as HTTP folds repeated headers. */
export function lowerCaseHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = value.join(', ');
    else throw requestMalformed(`header "${name}" must be a string or a list of strings`);
  }
  return out;
}

/** The request's headers as the canonical request holds them: lower case, repeats joined with ', '. */
export function incomingHeaders(req: IncomingMessage): Record<string, string> {
  return lowerCaseHeaders(req.headersDistinct as Record<string, string[]>);
}
