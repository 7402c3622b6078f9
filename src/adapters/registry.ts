import { TrustedProxies } from '../common/trusted-proxies.js';
import type { AdaptersConfig } from '../config/adapters-schema.js';
import type { Pipeline } from '../core/pipeline.js';
import type { HotRoute } from '../server/authz-server.js';
import { authzenAdapter } from './authzen/route.js';
import { envoyHttpAdapter } from './envoy-http/route.js';
import { forwardAuthAdapter } from './forward-auth/route.js';
import type { HttpAdapter } from './http-adapter.js';
import { kongAdapter } from './kong/route.js';
import { nativeAdapter } from './native/route.js';
import { dataApiAdapter } from './opa-data-api/route.js';

/**
 * Every HTTP adapter, in the order their prefix routes are matched (exact paths always win).
 * test/contract/cross-adapter.test.ts fails for an authorising adapter listed here without a test driver,
 * and for any other without its own contract test.
 */
export const HTTP_ADAPTERS: readonly HttpAdapter[] = [nativeAdapter, envoyHttpAdapter, forwardAuthAdapter, kongAdapter, dataApiAdapter, authzenAdapter];

/** The routes of every enabled adapter, for the authorization port. */
export function httpAdapterRoutes(pipeline: Pipeline, config: AdaptersConfig, maxBodyBytes: number): HotRoute[] {
  const context = { pipeline, config, maxBodyBytes, proxies: new TrustedProxies(config.trusted_proxies) };
  return HTTP_ADAPTERS.filter((adapter) => adapter.enabled(config)).flatMap((adapter) => adapter.routes(context));
}
