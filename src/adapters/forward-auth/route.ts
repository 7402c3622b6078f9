import type { Pipeline } from '../../core/pipeline.js';
import type { HotRoute } from '../../server/authz-server.js';
import { readBody } from '../../server/body.js';
import { decideOrReject } from '../decide.js';
import { sendAnswer } from '../http-answer.js';
import { decodeForwardAuth, type ForwardAuthOptions } from './decode.js';
import { encodeForwardAuthDecision } from './encode.js';

/** Traefik sends GET (or the original method with preserveRequestMethod); nginx may use proxy_method. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The forward-auth endpoint under every method; a body is read when the proxy forwards one (Traefik forwardBody). */
export function forwardAuthRoutes(pipeline: Pipeline, path: string, maxBodyBytes: number, options: ForwardAuthOptions): HotRoute[] {
  const handler: HotRoute['handler'] = async (req, res) => {
    const decision = await decideOrReject(pipeline, 'forward_auth', req, async () => decodeForwardAuth(req, await readBody(req, maxBodyBytes), options));
    sendAnswer(res, encodeForwardAuthDecision(decision));
  };
  return METHODS.map((method) => ({ method, path, handler }));
}
