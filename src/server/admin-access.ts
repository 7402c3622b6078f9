import { readFileSync } from 'node:fs';
import { isLoopback } from '../common/loopback.js';
import type { RequestHandler } from 'express';
import { TollgateError } from '../core/errors.js';
import { hookTokenMatches } from '../outcomes/hook-token.js';
import { sendError } from './body.js';

/** Who may change state through the admin port (policy reload). */
export interface AdminAccess {
  /** Bearer token mutations need; null = none configured. */
  token: string | null;
  /** Without a token, mutations are allowed only when the admin port listens on loopback. */
  loopbackOnly: boolean;
}

/** Reads server.admin_token_file at start; an empty or unreadable file stops the start (fail closed). */
export function adminAccess(host: string, tokenFile: string | null): AdminAccess {
  if (tokenFile === null) return { token: null, loopbackOnly: isLoopback(host) };
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch (err) {
    throw new TollgateError('ERR_ADMIN_TOKEN_INVALID', `server.admin_token_file ${tokenFile}: ${(err as Error).message}`);
  }
  if (token.length < 16) throw new TollgateError('ERR_ADMIN_TOKEN_INVALID', `server.admin_token_file ${tokenFile}: the token must be at least 16 characters`);
  return { token, loopbackOnly: isLoopback(host) };
}

/**
 * Reads (GET, HEAD) are open: probes and Prometheus need them. Anything else needs the token when
 * one is configured, and is refused outright when none is and the port is reachable off the host.
 */
export function adminMutationGuard(access: AdminAccess): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    if (access.token !== null) {
      const header = req.get('authorization') ?? '';
      const presented = /^Bearer (.+)$/i.exec(header)?.[1];
      if (hookTokenMatches(presented, access.token)) return next();
      sendError(res, new TollgateError('ERR_UNAUTHENTICATED', 'admin changes need Authorization: Bearer <server.admin_token_file>'),
        { 'www-authenticate': 'Bearer realm="tollgate-admin"' });
      return;
    }
    if (access.loopbackOnly) return next();
    sendError(res, new TollgateError('ERR_ADMIN_MUTATION_REFUSED', 'set server.admin_token_file to change state through an admin port that is not on loopback'));
  };
}
