import { loadConfig } from '../../../src/config/load.js';

describe('adapters.authzen config', () => {
  test('environment forms: base URL without its trailing slash, tenants, no scope', () => {
    const { authzen } = loadConfig({
      TOLLGATE_ADAPTERS__AUTHZEN__ENABLED: 'true',
      TOLLGATE_ADAPTERS__AUTHZEN__BASE_URL: 'https://pdp.example.com/authz/',
      TOLLGATE_ADAPTERS__AUTHZEN__TENANTS: '[acme, globex]',
      TOLLGATE_ADAPTERS__AUTHZEN__REQUIRED_SCOPE: 'null',
    }, undefined).adapters;
    expect(authzen).toMatchObject({ enabled: true, base_url: 'https://pdp.example.com/authz', tenants: ['acme', 'globex'], required_scope: null });
  });

  test.each([
    ['a base URL with a query', { TOLLGATE_ADAPTERS__AUTHZEN__BASE_URL: 'https://pdp.example.com/?x=1' }, 'adapters.authzen.base_url'],
    ['a base URL that is no http(s) URL', { TOLLGATE_ADAPTERS__AUTHZEN__BASE_URL: 'ftp://pdp.example.com' }, 'adapters.authzen.base_url'],
    ['a tenant that is no path segment', { TOLLGATE_ADAPTERS__AUTHZEN__TENANTS: '["../x"]' }, 'adapters.authzen.tenants.0'],
    ['a capability that is no URN', { TOLLGATE_ADAPTERS__AUTHZEN__CAPABILITIES: '[search]' }, 'adapters.authzen.capabilities.0'],
  ])('%s is refused, naming the key', (_name, env, key) => {
    expect(() => loadConfig(env, undefined)).toThrow(key);
  });
});
