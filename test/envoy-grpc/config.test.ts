import { ConfigError, loadConfig } from '../../src/config/load.js';

describe('envoy_grpc config', () => {
  test('defaults', () => {
    expect(loadConfig({}).envoy_grpc).toEqual({
      enabled: true, max_receive_bytes: 8 * 1024 * 1024, keepalive: { time_ms: 60_000, timeout_ms: 20_000 },
    });
  });

  test('environment overrides, nested keys included', () => {
    const cfg = loadConfig({ TOLLGATE_ENVOY_GRPC__ENABLED: 'false', TOLLGATE_ENVOY_GRPC__KEEPALIVE__TIME_MS: '30000' });
    expect(cfg.envoy_grpc.enabled).toBe(false);
    expect(cfg.envoy_grpc.keepalive.time_ms).toBe(30_000);
  });

  test.each([
    ['TOLLGATE_ENVOY_GRPC__MAX_RECEIVE_BYTES', '0', 'envoy_grpc.max_receive_bytes'],
    ['TOLLGATE_ENVOY_GRPC__MAX_RECEIVE_BYTES', String(1024 ** 3), 'envoy_grpc.max_receive_bytes'],
    ['TOLLGATE_ENVOY_GRPC__BOGUS', '1', 'envoy_grpc'],
  ])('%s=%s is rejected at %s', (name, value, at) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      expect((err as ConfigError).problems.some((p) => p.startsWith(at))).toBe(true);
    }
  });
});
