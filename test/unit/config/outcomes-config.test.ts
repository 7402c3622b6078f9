import { ConfigError, loadConfig } from '../../../src/config/load.js';

describe('outcomes and usage config', () => {
  test('defaults: outcomes off, in-process usage counters', () => {
    const config = loadConfig({});
    expect(config.outcomes.hook_token).toBeNull();
    expect(config.usage.redis_url).toBeNull();
  });

  test.each([
    { name: 'digits stay a string', token: '12345678901234567890' },
    { name: 'YAML-looking text stays verbatim', token: '[not, a, list]-0123456789' },
  ])('TOLLGATE_HOOK_TOKEN is taken verbatim: $name', ({ token }) => {
    expect(loadConfig({ TOLLGATE_HOOK_TOKEN: token }).outcomes.hook_token).toBe(token);
  });

  test.each([
    { name: 'short hook token', env: { TOLLGATE_HOOK_TOKEN: 'short' }, path: 'outcomes.hook_token' },
    { name: 'redis url without scheme', env: { TOLLGATE_USAGE__REDIS_URL: 'localhost:6379' }, path: 'usage.redis_url' },
    { name: 'unknown key', env: { TOLLGATE_OUTCOMES__NOPE: '1' }, path: 'outcomes' },
  ])('$name is a config error naming $path', ({ env, path }) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as ConfigError).problems.join('\n')).toContain(path);
    }
  });

  test('settings meant for the LiteLLM hook do not stop Tollgate from starting', () => {
    expect(() => loadConfig({ TOLLGATE_URL: 'http://x', TOLLGATE_FAIL_OPEN: 'true', TOLLGATE_TIMEOUT_MS: '500' })).not.toThrow();
  });
});
