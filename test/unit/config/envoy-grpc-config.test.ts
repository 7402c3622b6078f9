import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { tempDir, writeFile } from '../../helpers/tollgate.js';
import { configProblems } from '../../helpers/config.js';

describe('adapters.envoy_grpc config', () => {
  test('defaults', () => {
    expect(loadConfig({}).adapters.envoy_grpc).toEqual({
      enabled: true, max_receive_bytes: 8 * 1024 * 1024, keepalive: { time_ms: 60_000, timeout_ms: 20_000 }, max_concurrent_streams: 100, read_timeout_ms: 5000,
    });
  });

  test('environment overrides, nested keys included', () => {
    const cfg = loadConfig({ TOLLGATE_ADAPTERS__ENVOY_GRPC__ENABLED: 'false', TOLLGATE_ADAPTERS__ENVOY_GRPC__KEEPALIVE__TIME_MS: '30000' });
    expect(cfg.adapters.envoy_grpc.enabled).toBe(false);
    expect(cfg.adapters.envoy_grpc.keepalive.time_ms).toBe(30_000);
    const limits = loadConfig({ TOLLGATE_ADAPTERS__ENVOY_GRPC__MAX_CONCURRENT_STREAMS: '16', TOLLGATE_ADAPTERS__ENVOY_GRPC__READ_TIMEOUT_MS: '250' });
    expect(limits.adapters.envoy_grpc).toMatchObject({ max_concurrent_streams: 16, read_timeout_ms: 250 });
  });

  test.each([
    ['TOLLGATE_ADAPTERS__ENVOY_GRPC__MAX_RECEIVE_BYTES', '0', 'adapters.envoy_grpc.max_receive_bytes'],
    ['TOLLGATE_ADAPTERS__ENVOY_GRPC__MAX_RECEIVE_BYTES', String(1024 ** 3), 'adapters.envoy_grpc.max_receive_bytes'],
    ['TOLLGATE_ADAPTERS__ENVOY_GRPC__MAX_CONCURRENT_STREAMS', '0', 'adapters.envoy_grpc.max_concurrent_streams'],
    ['TOLLGATE_ADAPTERS__ENVOY_GRPC__MAX_CONCURRENT_STREAMS', String(2 ** 32), 'adapters.envoy_grpc.max_concurrent_streams'],
    ['TOLLGATE_ADAPTERS__ENVOY_GRPC__READ_TIMEOUT_MS', '0', 'adapters.envoy_grpc.read_timeout_ms'],
    ['TOLLGATE_ADAPTERS__ENVOY_GRPC__READ_TIMEOUT_MS', '600001', 'adapters.envoy_grpc.read_timeout_ms'],
    ['TOLLGATE_ADAPTERS__ENVOY_GRPC__BOGUS', '1', 'adapters.envoy_grpc'],
  ])('%s=%s is rejected at %s', (name, value, at) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(configProblems({ [name]: value }).some((p) => p.startsWith(at))).toBe(true);
  });
});

describe('the deprecated top-level envoy_grpc key', () => {
  test('in a file, it lands in adapters.envoy_grpc; keys also set at the new place win', () => {
    const file = writeFile(tempDir(), 'old.yaml', [
      'envoy_grpc: {enabled: false, max_receive_bytes: 1024, keepalive: {time_ms: 5000}}',
      'adapters: {envoy_grpc: {max_receive_bytes: 2048, keepalive: {timeout_ms: 3000}}}',
    ].join('\n'));
    const { adapters } = loadConfig({}, file);
    expect(adapters.envoy_grpc).toEqual({ enabled: false, max_receive_bytes: 2048, keepalive: { time_ms: 5000, timeout_ms: 3000 }, max_concurrent_streams: 100, read_timeout_ms: 5000 });
    expect(loadConfig({}, file)).not.toHaveProperty('envoy_grpc');
  });

  test('TOLLGATE_ENVOY_GRPC__* variables set adapters.envoy_grpc, over the file as every variable does', () => {
    const file = writeFile(tempDir(), 'new.yaml', 'adapters: {envoy_grpc: {max_receive_bytes: 2048}}\n');
    const cfg = loadConfig({ TOLLGATE_ENVOY_GRPC__ENABLED: 'false', TOLLGATE_ENVOY_GRPC__MAX_RECEIVE_BYTES: '4096' }, file);
    expect(cfg.adapters.envoy_grpc).toMatchObject({ enabled: false, max_receive_bytes: 4096 });
  });

  test('a variable under its current name wins over its alias', () => {
    for (const env of [
      { TOLLGATE_ENVOY_GRPC__MAX_RECEIVE_BYTES: '1024', TOLLGATE_ADAPTERS__ENVOY_GRPC__MAX_RECEIVE_BYTES: '2048' },
      { TOLLGATE_ADAPTERS__ENVOY_GRPC__MAX_RECEIVE_BYTES: '2048', TOLLGATE_ENVOY_GRPC__MAX_RECEIVE_BYTES: '1024' },
    ]) expect(loadConfig(env).adapters.envoy_grpc.max_receive_bytes).toBe(2048);
  });

  test('its problems are reported at the new place', () => {
    expect(configProblems({ TOLLGATE_ENVOY_GRPC__BOGUS: '1' }).join('\n')).toMatch(/^adapters\.envoy_grpc: .*bogus/m);
    const file = writeFile(tempDir(), 'both.yaml', 'envoy_grpc: off\nadapters: {envoy_grpc: {enabled: true}}\n');
    expect(configProblems({ TOLLGATE_CONFIG: file })).toContain('envoy_grpc: deprecated alias of adapters.envoy_grpc, which is also set');
  });
});
