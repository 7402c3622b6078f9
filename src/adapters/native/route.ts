import { parseJsonBody, sendJson } from '../../server/body.js';
import { decideOnBody } from '../http/decide.js';
import { denialBody } from '../http/denial.js';
import type { HttpAdapter } from '../http-adapter.js';
import { decodeNativeRequest } from './decode.js';
import { encodeNativeDecision } from './encode.js';

/** POST /v1/authorize: malformed input is a 400 error, oversized a 413 (both audited); everything else gets a decision. */
export const nativeAdapter: HttpAdapter = {
  gateway: 'native',
  authorizes: true,
  enabled: () => true,
  routes: ({ pipeline, maxBodyBytes }) => [{
    method: 'POST',
    path: '/v1/authorize',
    handler: (req, res) => decideOnBody(
      pipeline, 'native', req, maxBodyBytes,
      (body) => decodeNativeRequest(parseJsonBody(body), req.socket.remoteAddress),
      ({ decision, decoded }) => (decoded ? sendJson(res, 200, encodeNativeDecision(decision)) : sendJson(res, decision.status, denialBody(decision))),
    ),
  }],
};
