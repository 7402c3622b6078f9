import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { TollgateError } from '../core/errors.js';
import type { HttpIncidents } from './authz-server.js';
import { errorBody } from './body.js';

/**
 * node:http's own clientError answer (431 for oversized headers, 400 for malformed HTTP), plus an
 * audit record, since these requests never reach an adapter. As in node:http, nothing is written
 * when the socket is gone or a response on it has started. A client that stalled (request timeout)
 * is closed without node:http's 408: no request was read, so none was checked or recorded.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, incidents: HttpIncidents): void {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent || err.code === 'ECONNRESET' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    socket.destroy(err);
    return;
  }
  const error = err.code === 'HPE_HEADER_OVERFLOW'
    ? new TollgateError('ERR_HEADERS_TOO_LARGE', 'request headers exceed server.max_header_bytes')
    : new TollgateError('ERR_REQUEST_MALFORMED', `malformed HTTP request (${err.code ?? 'unknown'})`);
  const decisionId = randomUUID();
  incidents.rejected(decisionId, error, (socket as Duplex & { remoteAddress?: string }).remoteAddress);
  const body = JSON.stringify(errorBody(error.reason, error.message, decisionId));
  socket.end(`HTTP/1.1 ${error.status} ${error.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n`
    + `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
