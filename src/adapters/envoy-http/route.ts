import { sendAnswer } from '../http/answer.js';
import { decideOnBody } from '../http/decide.js';
import type { HttpAdapter } from '../http-adapter.js';
import { decodeEnvoyHttpCheck } from './decode.js';
import { encodeEnvoyHttpDecision } from './encode.js';

/** Envoy HTTP ext_authz: every method under `<path_prefix>/`, the rest of the path is the original path. */
export const envoyHttpAdapter: HttpAdapter = {
  gateway: 'envoy_http',
  authorizes: true,
  enabled: (config) => config.envoy_http.enabled,
  routes: ({ pipeline, config, maxBodyBytes, proxies }) => {
    const pathPrefix = config.envoy_http.path_prefix;
    return [{
      method: '*',
      path: `${pathPrefix}/`,
      handler: (req, res, path, query) => decideOnBody(
        pipeline, 'envoy_http', req, maxBodyBytes,
        (body) => decodeEnvoyHttpCheck(req, path.slice(pathPrefix.length), query, body, proxies),
        ({ decision }) => sendAnswer(res, encodeEnvoyHttpDecision(decision), decision.decisionId),
      ),
    }];
  },
};
