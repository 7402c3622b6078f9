import { TollgateError } from '../core/errors.js';

/** One element of Envoy's x-forwarded-client-cert header: the client certificate one proxy saw. */
export interface XfccElement {
  by?: string;
  hash?: string;
  /** URL-encoded PEM of the client certificate. */
  cert?: string;
  /** URL-encoded PEM of the client certificate chain. */
  chain?: string;
  subject?: string;
  uri: string[];
  dns: string[];
}

const MAX_XFCC_BYTES = 64 * 1024;
const MAX_ELEMENTS = 16;

/**
 * Parses `By=...;Hash=...;Subject="CN=a,O=b";URI=spiffe://...;DNS=a;DNS=b,By=...` : elements split
 * on commas and pairs on semicolons outside double quotes; `\"` escapes a quote inside them.
 * Keys are case-insensitive; unknown keys are ignored (Envoy may add fields).
 */
export function parseXfcc(header: string): XfccElement[] {
  if (header.length > MAX_XFCC_BYTES) throw malformed('header is too large');
  const elements = splitOutsideQuotes(header, ',').map(parseElement);
  if (elements.length > MAX_ELEMENTS) throw malformed(`more than ${MAX_ELEMENTS} elements`);
  return elements;
}

function parseElement(text: string): XfccElement {
  const element: XfccElement = { uri: [], dns: [] };
  for (const pair of splitOutsideQuotes(text, ';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw malformed('a field is not key=value');
    const key = pair.slice(0, eq).trim().toLowerCase();
    const value = unquote(pair.slice(eq + 1).trim());
    if (key === 'uri') element.uri.push(value);
    else if (key === 'dns') element.dns.push(value);
    else if (key === 'by' || key === 'hash' || key === 'cert' || key === 'chain' || key === 'subject') element[key] = value;
  }
  return element;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === separator && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) throw malformed('unterminated quote');
  parts.push(text.slice(start));
  const trimmed = parts.map((p) => p.trim());
  if (trimmed.some((p) => p === '')) throw malformed('empty element or field');
  return trimmed;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1).replace(/\\(.)/g, '$1');
  return value;
}

function malformed(message: string): TollgateError {
  return new TollgateError('ERR_XFCC_MALFORMED', `x-forwarded-client-cert: ${message}`);
}
