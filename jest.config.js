/**
 * Jest runs the TypeScript sources as ESM through ts-jest (jose v6 is ESM-only). One project per kind
 * of test, each with its own timeout: a unit test that needs seconds is a bug, a suite that starts
 * real servers and processes needs more, and the benchmark smoke test runs the real load tools.
 */
const shared = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  rootDir: import.meta.dirname,
  roots: ['<rootDir>/test'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  // Jest ignores a project's testTimeout; this file applies globals.testTimeoutMs instead.
  setupFilesAfterEnv: ['<rootDir>/test/helpers/project-timeout.ts'],
};

export default {
  maxWorkers: 2,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], globals: { testTimeoutMs: 5_000 } },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/{integration,contract,e2e}/**/*.test.ts'], globals: { testTimeoutMs: 30_000 } },
    { ...shared, displayName: 'bench', testMatch: ['<rootDir>/test/bench/**/*.test.ts'], globals: { testTimeoutMs: 180_000 } },
  ],
};
