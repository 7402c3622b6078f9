import type { IncomingMessage, ServerResponse } from 'node:http';
import { TollgateError } from '../core/errors.js';

/** Reads a request body up to `limit` bytes; over the limit is ERR_REQUEST_TOO_LARGE (checked before and while reading). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new TollgateError('ERR_REQUEST_TOO_LARGE', `request body exceeds ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new TollgateError('ERR_REQUEST_TOO_LARGE', `request body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses JSON text; malformed is ERR_REQUEST_MALFORMED. */
export function parseJsonBody(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new TollgateError('ERR_REQUEST_MALFORMED', `body is not valid JSON: ${(err as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export interface ErrorBody {
  error: { code: string; message: string; decision_id?: string | null };
}

/**
 * The one error shape, for denials and for answers that are no decision (unknown path, malformed
 * admin or outcomes request, no policy loaded): its code is a catalogue or policy reason, and a
 * decision's id rides along when there is one (undefined leaves the key out).
 */
export function errorBody(code: string, message: string, decisionId?: string | null): ErrorBody {
  return { error: decisionId === undefined ? { code, message } : { code, message, decision_id: decisionId } };
}

/** Works for node:http and express responses alike (an express Response is a ServerResponse). */
export function sendError(res: ServerResponse, err: TollgateError, headers?: Record<string, string>): void {
  sendJson(res, err.status, errorBody(err.reason, err.message), headers);
}
