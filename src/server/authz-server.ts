import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { asTollgateError, type TollgateError } from '../core/errors.js';
import { AnswerNotSent } from '../adapters/http/answer.js';
import { splitTarget } from '../adapters/http/request-line.js';
import { sendError } from './body.js';
import { answerClientError } from './client-error.js';

/** A hot-path handler: gets the path and raw query already split. */
export type HotHandler = (req: IncomingMessage, res: ServerResponse, path: string, query: string) => Promise<void> | void;

export interface HotRoute {
  method: string;
  /** Exact path, or a prefix when it ends with '/'. */
  path: string;
  handler: HotHandler;
}

/** What the audit trail hears from the HTTP layer: answers no decision record describes. */
export interface HttpIncidents {
  /** Rejected by node:http before any handler ran (header overflow, malformed HTTP): answered `error.status`. */
  rejected(decisionId: string, error: TollgateError, peer: string | undefined): void;
  /** A handler's answer was replaced by a 500 (a header Node refused, a handler bug). */
  answerFailed(req: IncomingMessage, path: string, error: TollgateError, decisionId: string | null): void;
}

export interface AuthzServerOptions {
  maxHeaderBytes: number;
  incidents: HttpIncidents;
}

/**
 * The authorization port: per-request routes run on bare node:http (no framework cost on every
 * model call); anything else falls through to an express app.
 */
export function createAuthzServer(
  routes: HotRoute[],
  fallback: (req: IncomingMessage, res: ServerResponse) => void,
  { maxHeaderBytes, incidents }: AuthzServerOptions,
): http.Server {
  const exact = new Map<string, HotHandler>();
  const prefixes: HotRoute[] = [];
  for (const route of routes) {
    if (route.path.endsWith('/')) prefixes.push(route);
    else exact.set(`${route.method} ${route.path}`, route.handler);
  }
  const server = http.createServer({ maxHeaderSize: maxHeaderBytes, keepAliveTimeout: 65_000 }, (req, res) => {
    const { path, query } = splitTarget(req.url ?? '/');
    const handler = exact.get(`${req.method} ${path}`) ?? prefixes.find((r) => (r.method === '*' || r.method === req.method) && path.startsWith(r.path))?.handler;
    if (!handler) {
      fallback(req, res);
      return;
    }
    const failSafe = (err: unknown) => answerFailure(req, res, path, err, incidents);
    try {
      const done = handler(req, res, path, query);
      if (done) done.catch(failSafe);
    } catch (err) {
      failSafe(err);
    }
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket, incidents));
  return server;
}

/** Last line of defence: a handler bug still answers (a deny-shaped error), never hangs or crashes, and is recorded. */
function answerFailure(req: IncomingMessage, res: ServerResponse, path: string, err: unknown, incidents: HttpIncidents): void {
  if (err instanceof AnswerNotSent) {
    incidents.answerFailed(req, path, err, err.decisionId); // sendAnswer already sent the 500
    return;
  }
  const error = asTollgateError(err);
  incidents.answerFailed(req, path, error, null);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendError(res, error);
}
