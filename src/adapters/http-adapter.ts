import type { TrustedProxies } from '../common/trusted-proxies.js';
import type { AdaptersConfig } from '../config/adapters-schema.js';
import type { Pipeline } from '../core/pipeline.js';
import type { GatewayKind } from '../core/types.js';
import type { HotRoute } from '../server/authz-server.js';

/** What every HTTP adapter is given to build its routes. */
export interface AdapterContext {
  pipeline: Pipeline;
  config: AdaptersConfig;
  maxBodyBytes: number;
  /** Whose X-Forwarded-For the adapters believe (adapters.trusted_proxies). */
  proxies: TrustedProxies;
}

/** One gateway dialect served on server.http_port. */
export interface HttpAdapter {
  /** The gateway its decisions are recorded under. */
  gateway: GatewayKind;
  /** False for the raw Data API: it evaluates caller-written input and so authorises nobody. */
  authorizes: boolean;
  enabled(config: AdaptersConfig): boolean;
  routes(context: AdapterContext): HotRoute[];
}
