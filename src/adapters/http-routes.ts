import type { AdaptersConfig } from '../config/adapters-schema.js';
import type { DecisionObserver, Pipeline } from '../core/pipeline.js';
import type { WasmPolicyEngine } from '../policy/wasm-engine.js';
import type { HotRoute } from '../server/authz-server.js';
import { envoyHttpRoute } from './envoy-http/route.js';
import { forwardAuthRoutes } from './forward-auth/route.js';
import { kongRoute } from './kong/route.js';
import { dataApiRoutes } from './opa-data-api/route.js';
import { TrustedProxies } from '../common/trusted-proxies.js';

export interface HttpAdapterDeps {
  pipeline: Pipeline;
  config: AdaptersConfig;
  maxBodyBytes: number;
  policy: () => WasmPolicyEngine | undefined;
  /** Where raw Data API evaluations are recorded (audit log, metrics). */
  observers: readonly DecisionObserver[];
}

/** The gateway dialects served on the authorization port next to the native API, as configured. */
export function httpAdapterRoutes(deps: HttpAdapterDeps): HotRoute[] {
  const { pipeline, config, maxBodyBytes } = deps;
  const proxies = new TrustedProxies(config.trusted_proxies);
  const routes: HotRoute[] = [];
  if (config.envoy_http.enabled) routes.push(envoyHttpRoute(pipeline, config.envoy_http.path_prefix, maxBodyBytes, proxies));
  if (config.forward_auth.enabled) {
    routes.push(...forwardAuthRoutes(pipeline, config.forward_auth.path, maxBodyBytes, { proxies, modelHeader: config.forward_auth.model_header, dialect: config.forward_auth.dialect }));
  }
  if (config.kong.enabled) routes.push(kongRoute(pipeline, maxBodyBytes));
  if (config.data_api.enabled) routes.push(...dataApiRoutes({ policy: deps.policy, observers: deps.observers, maxBodyBytes }));
  return routes;
}
