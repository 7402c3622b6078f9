import { jest } from '@jest/globals';

/** The timeout of this test's jest project (jest.config.js: globals.testTimeoutMs). */
jest.setTimeout((globalThis as unknown as { testTimeoutMs: number }).testTimeoutMs);
