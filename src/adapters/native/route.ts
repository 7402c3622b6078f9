import type { Pipeline } from '../../core/pipeline.js';
import { asTollgateError } from '../../core/errors.js';
import { undecodedRequest, type AuthzRequest } from '../../core/types.js';
import type { HotRoute } from '../../server/authz-server.js';
import { parseJsonBody, readBody, sendJson } from '../../server/body.js';
import { decodeNativeRequest } from './decode.js';
import { encodeNativeDecision } from './encode.js';

/** POST /v1/authorize: malformed input is a 400 error, oversized a 413 (both audited); everything else gets a decision. */
export function nativeAuthorizeRoute(pipeline: Pipeline, maxBodyBytes: number): HotRoute {
  return {
    method: 'POST',
    path: '/v1/authorize',
    handler: async (req, res, path) => {
      let authzRequest: AuthzRequest;
      try {
        authzRequest = decodeNativeRequest(parseJsonBody(await readBody(req, maxBodyBytes)), req.socket.remoteAddress);
      } catch (err) {
        const error = asTollgateError(err, 'ERR_REQUEST_MALFORMED');
        const decision = pipeline.reject(undecodedRequest('native', req.method, path, req.socket.remoteAddress), error);
        sendJson(res, error.status, { error: { code: error.reason, message: error.message, decision_id: decision.decisionId } });
        return;
      }
      const decision = await pipeline.authorize(authzRequest);
      sendJson(res, 200, encodeNativeDecision(decision));
    },
  };
}
