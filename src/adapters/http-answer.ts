import type { IncomingMessage, ServerResponse } from 'node:http';
import { lowerCaseHeaders } from './native/decode.js';

/** A wire answer an HTTP-dialect adapter encodes a decision into. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or undefined for an empty body. */
  body?: string;
}

export function sendAnswer(res: ServerResponse, answer: HttpAnswer): void {
  const headers: Record<string, string | number> = { ...answer.headers, 'content-length': answer.body === undefined ? 0 : Buffer.byteLength(answer.body) };
  if (answer.body !== undefined) headers['content-type'] = 'application/json';
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

/** The request's headers as the canonical request holds them: lower case, repeats joined with ', '. */
export function incomingHeaders(req: IncomingMessage): Record<string, string> {
  return lowerCaseHeaders(req.headersDistinct as Record<string, string[]>);
}
