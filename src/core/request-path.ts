import { TollgateError } from './errors.js';

/**
 * A request path as the upstreams route it: percent-decoded, dot segments resolved, empty
 * segments (`//`, trailing `/`) and matrix parameters (`;x=y`) dropped. Normalising toward the
 * catalogue is the safe direction: a spelling some upstream treats as a model endpoint is then
 * checked as one. Spellings that decode to a different path (`%2F` inside a segment, encoded dot
 * segments, a `%` left after decoding that a double-decoding upstream would read again) cannot be
 * read one way only, so they throw ERR_PATH_AMBIGUOUS rather than being guessed.
 */
export interface NormalisedPath {
  /** '/'-joined decoded segments, always starting with '/'. */
  path: string;
  /** Decoded segments, case preserved (literal matching is case-insensitive, parameters keep case). */
  segments: string[];
}

/** Paths every upstream reads the same way: plain segments, no dot segments, no encoding, no trailing slash. */
const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9_\-:@~+,=.]+)+$/;

export function normaliseRequestPath(raw: string): NormalisedPath {
  if (PLAIN_PATH.test(raw)) return { path: raw, segments: raw.slice(1).split('/') };
  if (!raw.startsWith('/')) throw ambiguous('does not start with /');
  if (/[^\x21-\x7e\x80-\uffff]|[\\#?]/.test(raw)) throw ambiguous('holds a control character, space, backslash, # or ?');
  const segments: string[] = [];
  for (const rawSegment of raw.slice(1).split('/')) {
    const semicolon = rawSegment.indexOf(';');
    const encoded = semicolon === -1 ? rawSegment : rawSegment.slice(0, semicolon);
    if (encoded === '' || encoded === '.') continue;
    if (encoded === '..') {
      if (segments.pop() === undefined) throw ambiguous('climbs above the root');
      continue;
    }
    const segment = decodeSegment(encoded);
    if (segment === '.' || segment === '..') throw ambiguous('has an encoded dot segment');
    segments.push(segment);
  }
  return { path: `/${segments.join('/')}`, segments };
}

function decodeSegment(encoded: string): string {
  if (!encoded.includes('%')) return encoded;
  if (/%(?![0-9A-Fa-f]{2})/.test(encoded)) throw ambiguous('has a malformed percent-encoding');
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    throw ambiguous('percent-encodes bytes that are not UTF-8');
  }
  if (/[^\x20-\x7e\x80-\uffff]|[/\\%]/.test(decoded)) throw ambiguous('percent-encodes a separator, a control character or %');
  return decoded;
}

function ambiguous(why: string): TollgateError {
  return new TollgateError('ERR_PATH_AMBIGUOUS', `request path ${why}; upstreams may read it differently`);
}
