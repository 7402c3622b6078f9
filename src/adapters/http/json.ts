import type { IncomingMessage } from 'node:http';
import { parseJsonBody, readBody } from '../../server/body.js';

/** JSON text a gateway or policy supplied, or undefined when it is not JSON. */
export function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The request body as JSON: oversized is ERR_REQUEST_TOO_LARGE, anything but JSON ERR_REQUEST_MALFORMED. */
export async function readJsonBody(req: IncomingMessage, maxBodyBytes: number): Promise<unknown> {
  return parseJsonBody(await readBody(req, maxBodyBytes));
}
