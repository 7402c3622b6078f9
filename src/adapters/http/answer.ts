import type { ServerResponse } from 'node:http';
import { TollgateError } from '../../core/errors.js';
import { errorBody, sendJson } from '../../server/body.js';

/** A wire answer an HTTP-dialect adapter encodes a decision into. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or undefined for an empty body. */
  body?: string;
}

/**
 * Thrown by sendAnswer after the answer was refused and a 500 deny sent instead, so the server
 * records what the gateway actually got (the decision record, written before, says what was decided).
 */
export class AnswerNotSent extends TollgateError {
  constructor(readonly decisionId: string | null, readonly intendedStatus: number, cause: unknown) {
    super('ERR_ANSWER_UNSENDABLE', `the answer could not be sent: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export function sendAnswer(res: ServerResponse, answer: HttpAnswer, decisionId: string | null): void {
  const headers: Record<string, string | number> = { ...answer.headers, 'content-length': answer.body === undefined ? 0 : Buffer.byteLength(answer.body) };
  if (answer.body !== undefined) headers['content-type'] = 'application/json';
  try {
    res.writeHead(answer.status, headers);
  } catch (err) {
    // Node refuses a header it cannot send (CR/LF, a character outside Latin-1, a bad name) before
    // writing anything; an allow must then become a deny, never a crash or a half-sent answer.
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    const failure = new AnswerNotSent(decisionId, answer.status, err);
    sendJson(res, failure.status, errorBody(failure.reason, 'the authorization answer could not be encoded', decisionId));
    throw failure;
  }
  res.end(answer.body);
}
