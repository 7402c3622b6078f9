import { loadConfig } from '../../../src/config/load.js';
import { configProblems } from '../../helpers/config.js';

describe('adapters config', () => {
  test('defaults: gateway adapters on (Envoy gRPC too), the raw Data API and AuthZEN off, Envoy under /ext_authz, forward-auth at /forward-auth in the Caddy dialect, no trusted proxies', () => {
    expect(loadConfig({}, undefined).adapters).toEqual({
      trusted_proxies: [],
      envoy_http: { enabled: true, path_prefix: '/ext_authz' },
      forward_auth: { enabled: true, path: '/forward-auth', model_header: null, dialect: 'caddy' },
      data_api: { enabled: false },
      kong: { enabled: true },
      authzen: {
        enabled: false, entrypoint: 'tollgate/authzen/decision', base_url: null, require_caller: true, required_scope: 'authzen',
        tenants: [], capabilities: [], max_evaluations: 1000, search_page_size: 100,
      },
      envoy_grpc: { enabled: true, max_receive_bytes: 8 * 1024 * 1024, keepalive: { time_ms: 60_000, timeout_ms: 20_000 }, max_concurrent_streams: 100, read_timeout_ms: 5000 },
    });
  });

  test('environment forms; header names lower-cased', () => {
    const { adapters } = loadConfig({
      TOLLGATE_ADAPTERS__TRUSTED_PROXIES: '[10.0.0.0/8, "fd00::/8", 192.0.2.1]',
      TOLLGATE_ADAPTERS__FORWARD_AUTH__MODEL_HEADER: 'X-Tollgate-Model',
      TOLLGATE_ADAPTERS__ENVOY_HTTP__PATH_PREFIX: '/authz/envoy',
      TOLLGATE_ADAPTERS__DATA_API__ENABLED: 'true',
    }, undefined);
    expect(adapters).toMatchObject({
      trusted_proxies: ['10.0.0.0/8', 'fd00::/8', '192.0.2.1'],
      forward_auth: { model_header: 'x-tollgate-model' },
      envoy_http: { path_prefix: '/authz/envoy' },
      data_api: { enabled: true },
    });
  });

  test.each([
    ['TOLLGATE_ADAPTERS__TRUSTED_PROXIES', '[10.0.0.0/33]', 'adapters.trusted_proxies.0'],
    ['TOLLGATE_ADAPTERS__TRUSTED_PROXIES', '[proxy.local]', 'adapters.trusted_proxies.0'],
    ['TOLLGATE_ADAPTERS__ENVOY_HTTP__PATH_PREFIX', '/ext_authz/', 'adapters.envoy_http.path_prefix'],
    ['TOLLGATE_ADAPTERS__ENVOY_HTTP__PATH_PREFIX', 'ext_authz', 'adapters.envoy_http.path_prefix'],
    ['TOLLGATE_ADAPTERS__FORWARD_AUTH__MODEL_HEADER', '"x model"', 'adapters.forward_auth.model_header'],
    ['TOLLGATE_ADAPTERS__FORWARD_AUTH__PATH', '/forward-auth/', 'adapters.forward_auth.path'],
    ['TOLLGATE_ADAPTERS__KONG__PATH', '/x', 'adapters.kong'],
  ])('%s=%s is refused, naming %s', (name, value, keyPath) => {
    expect(configProblems({ [name]: value }).join('\n')).toContain(keyPath);
  });
});
