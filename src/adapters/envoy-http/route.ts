import type { Pipeline } from '../../core/pipeline.js';
import type { HotRoute } from '../../server/authz-server.js';
import { readBody } from '../../server/body.js';
import { decideOrReject } from '../decide.js';
import { sendAnswer } from '../http-answer.js';
import type { TrustedProxies } from '../../common/trusted-proxies.js';
import { decodeEnvoyHttpCheck } from './decode.js';
import { encodeEnvoyHttpDecision } from './encode.js';

/** Envoy HTTP ext_authz: every method under `<pathPrefix>/`, the rest of the path is the original path. */
export function envoyHttpRoute(pipeline: Pipeline, pathPrefix: string, maxBodyBytes: number, proxies: TrustedProxies): HotRoute {
  return {
    method: '*',
    path: `${pathPrefix}/`,
    handler: async (req, res, path, query) => {
      const decision = await decideOrReject(pipeline, 'envoy_http', req, async () => {
        const body = await readBody(req, maxBodyBytes);
        return decodeEnvoyHttpCheck(req, path.slice(pathPrefix.length), query, body, proxies);
      });
      sendAnswer(res, encodeEnvoyHttpDecision(decision));
    },
  };
}
