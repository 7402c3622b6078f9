import type { IncomingMessage, ServerResponse } from 'node:http';
import { TollgateError } from '../core/errors.js';

/** Reads a request body up to `limit` bytes; over the limit is ERR_REQUEST_TOO_LARGE (checked before and while reading). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => onBody(req, limit, (error, body) => (error ? reject(error) : resolve(body!))));
}

/**
 * readBody for a caller that stays synchronous once the body is in: `done` runs exactly once, from
 * the request's own events (at once when the declared length is over the limit).
 */
export function onBody(req: IncomingMessage, limit: number, done: (error: Error | null, body?: Buffer) => void): void {
  const tooLarge = () => new TollgateError('ERR_REQUEST_TOO_LARGE', `request body exceeds ${limit} bytes`);
  if (Number(req.headers['content-length']) > limit) {
    req.resume();
    done(tooLarge());
    return;
  }
  let finished = false;
  const finish = (error: Error | null, body?: Buffer) => {
    if (finished) return;
    finished = true;
    done(error, body);
  };
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      req.removeAllListeners('data');
      req.resume();
      finish(tooLarge());
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => finish(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
  req.on('error', (error) => finish(error));
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
