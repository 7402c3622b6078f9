import type { HotRoute } from '../../server/authz-server.js';
import { sendAnswer } from '../http/answer.js';
import { decideOnBody } from '../http/decide.js';
import type { HttpAdapter } from '../http-adapter.js';
import { decodeForwardAuth } from './decode.js';
import { encodeForwardAuthDecision } from './encode.js';

/** Traefik sends GET (or the original method with preserveRequestMethod); nginx may use proxy_method. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The forward-auth endpoint under every method; a body is read when the proxy forwards one (Traefik forwardBody). */
export const forwardAuthAdapter: HttpAdapter = {
  gateway: 'forward_auth',
  authorizes: true,
  enabled: (config) => config.forward_auth.enabled,
  routes: ({ pipeline, config, maxBodyBytes, proxies }) => {
    const { path, model_header: modelHeader, dialect } = config.forward_auth;
    const options = { proxies, modelHeader, dialect };
    const handler: HotRoute['handler'] = (req, res) => decideOnBody(
      pipeline, 'forward_auth', req, maxBodyBytes,
      (body) => decodeForwardAuth(req, body, options),
      ({ decision }) => sendAnswer(res, encodeForwardAuthDecision(decision), decision.decisionId),
    );
    return METHODS.map((method) => ({ method, path, handler }));
  },
};
