import { sendJson } from '../../server/body.js';
import { decideOrReject, requestLineOf } from '../http/decide.js';
import { denialBody } from '../http/denial.js';
import { readJsonBody } from '../http/json.js';
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
    handler: async (req, res) => {
      const { decision, decoded } = await decideOrReject(pipeline, 'native', requestLineOf(req), async () => decodeNativeRequest(await readJsonBody(req, maxBodyBytes), req.socket.remoteAddress));
      if (decoded) sendJson(res, 200, encodeNativeDecision(decision));
      else sendJson(res, decision.status, denialBody(decision));
    },
  }],
};
