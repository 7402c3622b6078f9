import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { hookEnv } from '../outcomes/hook-env.js';
import { currentKeyPath, moveDeprecatedKeys } from './deprecated-keys.js';
import { jwtIssuerEnv } from './jwt-env.js';
import { isMapping, setPath, type EnvReader, type RawConfig } from './raw-config.js';
import { configSchema, type TollgateConfig } from './schema.js';

/** Short environment names for the settings people change most; every key also has a TOLLGATE_SECTION__KEY form. */
const ENV_ALIASES: Record<string, string> = {
  TOLLGATE_HTTP_PORT: 'server.http_port',
  TOLLGATE_GRPC_PORT: 'server.grpc_port',
  TOLLGATE_ADMIN_PORT: 'server.admin_port',
  TOLLGATE_HOST: 'server.host',
  TOLLGATE_ADMIN_HOST: 'server.admin_host',
  TOLLGATE_KEYS_FILE: 'keys.file',
  TOLLGATE_POLICY_BUNDLE: 'policy.bundle',
  TOLLGATE_LOG_LEVEL: 'log.level',
  TOLLGATE_AUDIT_FILE: 'log.audit_file',
};

const ENV_READERS: readonly EnvReader[] = [jwtIssuerEnv, hookEnv];

/** Environment variables that are not TOLLGATE_<SECTION>__<KEY> config keys. */
const NOT_CONFIG = new Set<string>(['TOLLGATE_CONFIG', ...ENV_READERS.flatMap((reader) => reader.names)]);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Loads the YAML file (if any), applies TOLLGATE_* overrides, validates everything at once and
 * freezes the result. Errors name every bad key path.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, filePath = env.TOLLGATE_CONFIG): TollgateConfig {
  const raw = filePath ? readYamlFile(filePath) : {};
  const problems: string[] = [];
  moveDeprecatedKeys(raw, problems);
  const overrides: Array<{ path: readonly string[]; deprecated: boolean; value: unknown }> = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('TOLLGATE_') || NOT_CONFIG.has(name) || value === undefined) continue;
    const keyPath = ENV_ALIASES[name] ?? envNameToPath(name);
    if (!keyPath) {
      problems.push(`${name}: not a config key (use TOLLGATE_<SECTION>__<KEY>)`);
      continue;
    }
    overrides.push({ ...currentKeyPath(keyPath.split('.')), value: parseEnvValue(value) });
  }
  // Deprecated names first, so a variable under its current name wins over its alias.
  overrides.sort((a, b) => Number(b.deprecated) - Number(a.deprecated));
  for (const { path, value } of overrides) setPath(raw, path, value);
  for (const reader of ENV_READERS) reader.apply(raw, env, problems);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const at = issue.path.join('.') || '(root)';
      const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` ${issue.keys.join(', ')}` : '';
      problems.push(`${at}: ${issue.message}${keys}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(result.data!);
}

function readYamlFile(filePath: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (err) {
    throw new ConfigError([`config file ${filePath}: ${(err as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError([`config file ${filePath}: ${(err as Error).message}`]);
  }
  if (doc === null || doc === undefined) return {};
  if (!isMapping(doc)) throw new ConfigError([`config file ${filePath}: must be a YAML mapping`]);
  return doc;
}

/** TOLLGATE_SERVER__HTTP_PORT -> server.http_port */
function envNameToPath(name: string): string | undefined {
  const rest = name.slice('TOLLGATE_'.length);
  if (!rest.includes('__')) return undefined;
  return rest.toLowerCase().split('__').join('.');
}

/** Values are YAML scalars or flow collections: "0" is a number, "true" a boolean, "[a, b]" a list, "null" null. */
function parseEnvValue(value: string): unknown {
  try {
    return parseYaml(value);
  } catch {
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
