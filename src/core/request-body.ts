import { TollgateError } from './errors.js';
import { isObject } from './is-object.js';
import type { AuthzRequest } from './types.js';

/**
 * The body as the upstream will read it. LiteLLM parses a body whose Content-Type contains "form"
 * as a form and everything else as JSON; FastAPI services and vLLM accept JSON types (or none);
 * Go services decode JSON. Tollgate reads JSON for JSON types or none, URL-encoded forms as forms,
 * and refuses the rest on a model call rather than guess which reading the upstream picks.
 */
export type BodyReading =
  | { kind: 'absent' }
  /** The body exists but Tollgate cannot see all of it (multipart, cut short by the gateway). */
  | { kind: 'opaque' }
  | { kind: 'fields'; fields: Record<string, unknown> };

const ABSENT: BodyReading = { kind: 'absent' };
const OPAQUE: BodyReading = { kind: 'opaque' };

/** One reading per request: the model reader, the MCP reader and the findings scanner share it. */
const readings = new WeakMap<AuthzRequest, BodyReading>();

export function readRequestBody(req: AuthzRequest): BodyReading {
  let reading = readings.get(req);
  if (reading === undefined) {
    reading = readBody(req);
    readings.set(req, reading);
  }
  return reading;
}

function readBody(req: AuthzRequest): BodyReading {
  if (req.rawBody === undefined) {
    if (req.body === undefined) return req.bodyTruncated ? OPAQUE : ABSENT;
    // A gateway that parsed the body itself (Kong's parsed_body, LiteLLM's hook, a native caller) sends its reading.
    if (!isObject(req.body)) throw unreadable('the body is not an object');
    return { kind: 'fields', fields: req.body };
  }
  if (req.bodyTruncated) return OPAQUE;
  if (req.rawBody === '') return ABSENT;
  const contentType = req.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  // LiteLLM reads a form when the whole header value contains "form" (case-sensitive, parameters
  // included); FastAPI and Go services go by the media type. A body is read only where both agree.
  const litellmReadsForm = contentType.includes('form');
  if (mediaType === 'application/x-www-form-urlencoded' || mediaType === 'multipart/form-data') {
    if (!litellmReadsForm) throw unreadable(`content type ${contentType} is a form to some upstreams and JSON to LiteLLM`);
    return mediaType === 'multipart/form-data' ? OPAQUE : { kind: 'fields', fields: formFields(req.rawBody) };
  }
  if (litellmReadsForm) throw unreadable(`content type ${contentType} is a form to LiteLLM only`);
  if (mediaType === '' || mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) {
    return { kind: 'fields', fields: jsonObject(req.rawBody) };
  }
  throw unreadable(`content type ${mediaType} is read differently by different upstreams`);
}

function jsonObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw unreadable('the body is not valid JSON');
  }
  if (!isObject(parsed)) throw unreadable('the JSON body is not an object');
  return parsed;
}

/** A field named twice is read as its first value by some parsers and its last by others: refused. */
function formFields(text: string): Record<string, unknown> {
  const fields: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of new URLSearchParams(text)) {
    if (name in fields) throw unreadable(`form field "${name}" appears twice`);
    fields[name] = value;
  }
  return fields;
}

function unreadable(why: string): TollgateError {
  return new TollgateError('ERR_BODY_UNREADABLE', `the request body cannot be read as the upstream reads it: ${why}`);
}
