import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { tempDir } from '../../helpers/tollgate.js';
import { configProblems } from '../../helpers/config.js';

describe('configuration', () => {
  test('defaults with no file and no env', () => {
    const c = loadConfig({});
    expect(c.server).toMatchObject({ http_port: 8181, grpc_port: 9191, admin_port: 8282 });
    expect(c.policy.bundle).toBeNull();
    expect(Object.isFrozen(c.server)).toBe(true);
  });

  test('the documented environment variables work on their own', () => {
    const c = loadConfig({
      TOLLGATE_HTTP_PORT: '0', TOLLGATE_GRPC_PORT: '9999', TOLLGATE_ADMIN_PORT: '1', TOLLGATE_KEYS_FILE: '/k.yaml',
      TOLLGATE_POLICY_BUNDLE: '/b.tar.gz', TOLLGATE_LOG_LEVEL: 'debug',
    });
    expect(c.server).toMatchObject({ http_port: 0, grpc_port: 9999, admin_port: 1 });
    expect(c.keys.file).toBe('/k.yaml');
    expect(c.policy.bundle).toBe('/b.tar.gz');
    expect(c.log.level).toBe('debug');
  });

  test('YAML file, then every key overridable as TOLLGATE_SECTION__KEY', () => {
    const file = path.join(tempDir(), 'tollgate.yaml');
    writeFileSync(file, 'server:\n  http_port: 1000\n  max_body_bytes: 2048\npolicy:\n  watch: false\n');
    const c = loadConfig({ TOLLGATE_CONFIG: file, TOLLGATE_SERVER__MAX_BODY_BYTES: '4096' });
    expect(c.server.http_port).toBe(1000);
    expect(c.server.max_body_bytes).toBe(4096);
    expect(c.policy.watch).toBe(false);
  });

  test('every problem is reported with its key path', () => {
    const file = path.join(tempDir(), 'bad.yaml');
    writeFileSync(file, 'server:\n  http_port: -1\n  colour: blue\nlog:\n  level: loud\n');
    const found = configProblems({ TOLLGATE_CONFIG: file, TOLLGATE_NOPE: '1' });
    expect(found.join('\n')).toMatch(/server\.http_port/);
    expect(found.join('\n')).toMatch(/colour/);
    expect(found.join('\n')).toMatch(/log\.level/);
    expect(found.join('\n')).toMatch(/TOLLGATE_NOPE/);
  });

  test('unreadable or non-mapping files are config errors', () => {
    expect(configProblems({ TOLLGATE_CONFIG: '/nonexistent/t.yaml' })[0]).toMatch(/nonexistent/);
    const file = path.join(tempDir(), 'list.yaml');
    writeFileSync(file, '- a\n- b\n');
    expect(configProblems({ TOLLGATE_CONFIG: file })[0]).toMatch(/mapping/);
  });
});
