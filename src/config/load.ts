import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { applyJwtIssuerEnv, JWT_ISSUER_ENV } from './jwt-env.js';
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

/** Environment variables that are not config keys. */
const NOT_CONFIG = new Set<string>(['TOLLGATE_CONFIG', 'TOLLGATE_URL', 'TOLLGATE_HOOK_TOKEN', 'TOLLGATE_FAIL_OPEN', 'TOLLGATE_TIMEOUT_MS', ...JWT_ISSUER_ENV]);

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
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('TOLLGATE_') || NOT_CONFIG.has(name) || value === undefined) continue;
    const keyPath = ENV_ALIASES[name] ?? envNameToPath(name);
    if (!keyPath) {
      problems.push(`${name}: not a config key (use TOLLGATE_<SECTION>__<KEY>)`);
      continue;
    }
    setPath(raw, keyPath.split('.'), parseEnvValue(value));
  }
  applyJwtIssuerEnv(raw, env, problems);
  // A secret is taken verbatim: YAML parsing could turn it into a number.
  if (env.TOLLGATE_HOOK_TOKEN) setPath(raw, ['outcomes', 'hook_token'], env.TOLLGATE_HOOK_TOKEN);
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

function readYamlFile(filePath: string): Record<string, unknown> {
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
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError([`config file ${filePath}: must be a YAML mapping`]);
  return doc as Record<string, unknown>;
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

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = (node[key] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
