import { ConfigError, loadConfig } from '../../src/config/load.js';

/** The problems loadConfig reports for this environment (empty when the config is valid). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, env.TOLLGATE_CONFIG);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
