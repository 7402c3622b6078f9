import type { Pipeline } from '../../core/pipeline.js';
import type { HotRoute } from '../../server/authz-server.js';
import { parseJsonBody, readBody, sendJson } from '../../server/body.js';
import { decideOrReject } from '../decide.js';
import { decodeKongInput } from './decode.js';
import { encodeKongDecision } from './encode.js';

export const KONG_DATA_PATH = '/v1/data/tollgate/kong';

/**
 * Kong's OPA plugin with opa_path = /v1/data/tollgate/kong. Always 200 with a result: undecodable
 * input is a deny with its status (Kong would turn a non-200 into an opaque 500).
 */
export function kongRoute(pipeline: Pipeline, maxBodyBytes: number): HotRoute {
  return {
    method: 'POST',
    path: KONG_DATA_PATH,
    handler: async (req, res) => {
      const decision = await decideOrReject(pipeline, 'kong', req, async () => decodeKongInput(parseJsonBody(await readBody(req, maxBodyBytes)), req.socket.remoteAddress));
      sendJson(res, 200, { ...encodeKongDecision(decision), decision_id: decision.decisionId });
    },
  };
}
