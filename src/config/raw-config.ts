/** The config as read from YAML and the environment, before the schema checks it. */
export type RawConfig = Record<string, unknown>;

/**
 * Variables a feature reads in its own way rather than as TOLLGATE_<SECTION>__<KEY>: the loader
 * leaves `names` alone and lets `apply` write into the raw config.
 */
export interface EnvReader {
  readonly names: readonly string[];
  apply(raw: RawConfig, env: NodeJS.ProcessEnv, problems: string[]): void;
}

/** The mapping at `parent[key]`, created (replacing any non-mapping) when absent. */
export function objectAt(parent: RawConfig, key: string): RawConfig {
  const value = parent[key];
  if (isMapping(value)) return value;
  return (parent[key] = {}) as RawConfig;
}

export function setPath(target: RawConfig, path: readonly string[], value: unknown): void {
  const parent = path.slice(0, -1).reduce(objectAt, target);
  parent[path[path.length - 1]] = value;
}

export function isMapping(value: unknown): value is RawConfig {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
