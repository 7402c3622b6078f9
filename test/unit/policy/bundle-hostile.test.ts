import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PolicyStore } from '../../../src/policy/policy-store.js';
import { WasmPolicyEngine } from '../../../src/policy/wasm-engine.js';
import { ENTRYPOINT, hostileBundles } from '../../helpers/hostile-bundles.js';
import { tempDir } from '../../helpers/tollgate.js';

const options = { entrypoint: ENTRYPOINT, maxMemoryPages: 1024, now: () => 0 };
const { good, hostile } = hostileBundles();
const prototypeKeys = (): string[] => Object.getOwnPropertyNames(Object.prototype);

describe('a hostile bundle is refused before anything shared changes', () => {
  const keysBefore = prototypeKeys();

  test.each(hostile)('$name', async ({ bytes, error }) => {
    await expect(WasmPolicyEngine.fromBundle(bytes(), options)).rejects.toMatchObject({ code: 'ERR_BUNDLE_INVALID', message: expect.stringMatching(error) });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(prototypeKeys()).toEqual(keysBefore);
  });

  test('the same module and entries, honest, load (each case fails for its hostile part only)', async () => {
    const engine = await WasmPolicyEngine.fromBundle(good('a'), options);
    expect(engine.evaluate({ user: 'alice' })).toEqual([{ result: { allow: true, rev: 'a' } }]);
  });
});

describe('the policy store keeps serving the last good revision', () => {
  const file = path.join(tempDir('tollgate-store-'), 'bundle.tar.gz');
  const errors: Error[] = [];
  const store = new PolicyStore({ bundlePath: file, ...options, pollIntervalMs: 1000, onLoadError: (err) => errors.push(err) });

  beforeAll(async () => {
    writeFileSync(file, good('good-1'));
    await store.load();
  });

  test.each(hostile)('after a reload to: $name', async ({ bytes, error }) => {
    const serving = store.current();
    writeFileSync(file, bytes());
    const failures = errors.length;
    await store.reload();
    expect(errors).toHaveLength(failures + 1);
    expect(errors.at(-1)).toMatchObject({ code: 'ERR_BUNDLE_INVALID', message: expect.stringMatching(error) });
    expect(store.current()).toBe(serving);
    expect(store.current()?.evaluate({ user: 'alice' })).toEqual([{ result: { allow: true, rev: 'good-1' } }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a bundle file that cannot be read is refused the same way', async () => {
    const serving = store.current();
    rmSync(file);
    await store.reload();
    expect(errors.at(-1)).toMatchObject({ code: 'ERR_BUNDLE_UNREADABLE', message: expect.stringContaining(file) });
    expect(store.current()).toBe(serving);
  });

  test('a good bundle after all of them is swapped in', async () => {
    writeFileSync(file, good('good-2'));
    await store.reload();
    expect(store.current()?.revision).toBe('good-2');
    expect(store.current()?.evaluate({ user: 'bob' })).toEqual([{ result: { allow: false, rev: 'good-2' } }]);
  });
});
