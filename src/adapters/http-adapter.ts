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
  /**
   * True when it authorises the gateway request in hand (test/contract/cross-adapter.test.ts holds it to
   * the others). False for the raw Data API (caller-written input authorises nobody) and for AuthZEN
   * (a PEP asks about subjects it names); each has its own contract test.
   */
  authorizes: boolean;
  enabled(config: AdaptersConfig): boolean;
  routes(context: AdapterContext): HotRoute[];
}
