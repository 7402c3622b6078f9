import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnServe } from '../helpers/cli.js';
import { postJson, tempDir, writeFile } from '../helpers/tollgate.js';

const OPTIONAL = { grpc: '/node_modules/protobufjs/', redis: '/node_modules/ioredis/', jose: '/node_modules/jose/' };

/**
 * Runs `tollgate serve` with a preload that records every module the process loads: ES modules through
 * a resolve hook (node:module register), CommonJS ones from require.cache at exit. Returns the paths.
 */
async function modulesLoaded(env: Record<string, string>, args: string[], use?: (http: number) => Promise<void>): Promise<string> {
  const dir = tempDir();
  const record = path.join(dir, 'modules.txt');
  writeFile(dir, 'hooks.mjs', `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.MODULES_RECORD, resolved.url + '\\n');
  return resolved;
}
`);
  const preload = writeFile(dir, 'record.mjs', `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
register('./hooks.mjs', import.meta.url);
process.on('exit', () => appendFileSync(process.env.MODULES_RECORD, Object.keys(createRequire(import.meta.url).cache).join('\\n') + '\\n'));
`);
  const tg = await spawnServe({ ...env, MODULES_RECORD: record, NODE_OPTIONS: `--import=${pathToFileURL(preload).href}` }, args);
  try {
    expect((await fetch(`http://127.0.0.1:${tg.ports.admin}/readyz`)).status).toBe(200);
    await use?.(tg.ports.http);
  } finally {
    tg.child.kill('SIGTERM');
    expect(await tg.exited).toBe(0);
  }
  return readFileSync(record, 'utf8');
}

describe('modules the configuration does not use are never loaded', () => {
  test('default config with gRPC off: no grpc-js, ioredis or jose', async () => {
    const loaded = await modulesLoaded({ TOLLGATE_ADAPTERS__ENVOY_GRPC__ENABLED: 'false' }, []);
    expect(loaded).toContain('/node_modules/winston/'); // the recorder sees CommonJS packages
    expect(loaded).toContain('/dist/src/app.js'); // and ES modules
    for (const dir of Object.values(OPTIONAL)) expect(loaded).not.toContain(dir);
  });

  test('gRPC on, a Redis URL and a JWT issuer in use load each of them', async () => {
    const dir = tempDir();
    const secret = writeFile(dir, 'secret', 'x'.repeat(32));
    const config = writeFile(dir, 'tollgate.yaml', [
      'usage: { redis_url: "redis://127.0.0.1:1" }',
      `identity: { jwt: { issuers: [{ issuer: "https://issuer.test", audiences: [tollgate], shared_secret_file: ${JSON.stringify(secret)} }] } }`,
    ].join('\n'));
    const jwt = ['{"alg":"HS256"}', '{"iss":"https://issuer.test"}', 'sig'].map((part) => Buffer.from(part).toString('base64url')).join('.');
    const loaded = await modulesLoaded({}, ['--config', config], async (http) => {
      await postJson(`http://127.0.0.1:${http}/v1/authorize`, { method: 'GET', path: '/v1/models', headers: { authorization: `Bearer ${jwt}` } });
    });
    for (const dir of Object.values(OPTIONAL)) expect(loaded).toContain(dir);
  });
});
