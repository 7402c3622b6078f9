import { STANDARD_CREDENTIAL_HEADERS } from '../../../src/identity/credentials.js';
import { HTTP_ADAPTERS, httpAdapterRoutes } from '../../../src/adapters/registry.js';
import { adaptersSchema } from '../../../src/config/adapters-schema.js';
import { DEFAULT_ENDPOINTS } from '../../../src/core/endpoint-catalogue.js';
import { EndpointMatcher } from '../../../src/core/endpoints.js';
import { Pipeline } from '../../../src/core/pipeline.js';

const pipeline = new Pipeline({ standardCredentialHeaders: STANDARD_CREDENTIAL_HEADERS, authenticators: [], policy: () => undefined, observers: [], reading: { endpoints: new EndpointMatcher(DEFAULT_ENDPOINTS), upstreamReadsFallbacks: true } });
const routesOf = (config: unknown) => httpAdapterRoutes(pipeline, adaptersSchema.parse(config), 1024).map((r) => `${r.method} ${r.path}`);

describe('the HTTP adapter registry', () => {
  test('each gateway is registered once', () => {
    const gateways = HTTP_ADAPTERS.map((a) => a.gateway);
    expect(new Set(gateways).size).toBe(gateways.length);
  });

  test('default config: every authorising adapter, not the raw Data API', () => {
    const routes = routesOf({});
    expect(routes).toEqual(expect.arrayContaining(['POST /v1/authorize', '* /ext_authz/', 'GET /forward-auth', 'POST /v1/data/tollgate/kong']));
    expect(routes.filter((r) => r.endsWith(' /v1/data/'))).toEqual([]);
  });

  test('each adapter follows its own config switch; the native API is always served', () => {
    const routes = routesOf({ envoy_http: { enabled: false, path_prefix: '/authz' }, forward_auth: { enabled: false }, kong: { enabled: false }, data_api: { enabled: true } });
    expect(routes).toEqual(['POST /v1/authorize', 'POST /v1/data/', 'GET /v1/data/']);
  });
});
