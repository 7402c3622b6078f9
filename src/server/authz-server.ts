import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { asTollgateError } from '../core/errors.js';
import { sendError } from './body.js';

/** A hot-path handler: gets the path and raw query already split. */
export type HotHandler = (req: IncomingMessage, res: ServerResponse, path: string, query: string) => Promise<void> | void;

export interface HotRoute {
  method: string;
  /** Exact path, or a prefix when it ends with '/'. */
  path: string;
  handler: HotHandler;
}

/**
 * The authorization port: per-request routes run on bare node:http (no framework cost on every
 * model call); anything else falls through to an express app.
 */
export function createAuthzServer(
  routes: HotRoute[],
  fallback: (req: IncomingMessage, res: ServerResponse) => void,
  maxHeaderBytes: number,
): http.Server {
  const exact = new Map<string, HotHandler>();
  const prefixes: HotRoute[] = [];
  for (const route of routes) {
    if (route.path.endsWith('/')) prefixes.push(route);
    else exact.set(`${route.method} ${route.path}`, route.handler);
  }
  return http.createServer({ maxHeaderSize: maxHeaderBytes, keepAliveTimeout: 65_000 }, (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    const handler = exact.get(`${req.method} ${path}`) ?? prefixes.find((r) => (r.method === '*' || r.method === req.method) && path.startsWith(r.path))?.handler;
    if (!handler) {
      fallback(req, res);
      return;
    }
    try {
      const done = handler(req, res, path, query);
      if (done) done.catch((err: unknown) => failSafe(res, err));
    } catch (err) {
      failSafe(res, err);
    }
  });
}

/** Last line of defence: a handler bug still answers (a deny-shaped error), never hangs or crashes. */
function failSafe(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendError(res, asTollgateError(err));
}
