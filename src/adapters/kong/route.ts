import { parseJsonBody, sendJson } from '../../server/body.js';
import { decideOnBody } from '../http/decide.js';
import type { HttpAdapter } from '../http-adapter.js';
import { decodeKongInput } from './decode.js';
import { encodeKongDecision } from './encode.js';

export const KONG_DATA_PATH = '/v1/data/tollgate/kong';

/**
 * Kong's OPA plugin with opa_path = /v1/data/tollgate/kong. Always 200 with a result: undecodable
 * input is a deny with its status (Kong would turn a non-200 into an opaque 500).
 */
export const kongAdapter: HttpAdapter = {
  gateway: 'kong',
  authorizes: true,
  enabled: (config) => config.kong.enabled,
  routes: ({ pipeline, maxBodyBytes }) => [{
    method: 'POST',
    path: KONG_DATA_PATH,
    handler: (req, res) => decideOnBody(
      pipeline, 'kong', req, maxBodyBytes,
      (body) => decodeKongInput(parseJsonBody(body), req.socket.remoteAddress),
      ({ decision }) => sendJson(res, 200, { ...encodeKongDecision(decision), decision_id: decision.decisionId }),
    ),
  }],
};
