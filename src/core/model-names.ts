import { TollgateError } from './errors.js';
import { isObject } from './is-object.js';

/**
 * Every model a request body can make the upstream run. LiteLLM runs each name of a comma-separated
 * `model`, `target_model_names` when `model` is absent, and the `fallbacks`, `context_window_fallbacks`
 * and `content_policy_fallbacks` lists (top level or in `router_settings_override`) when a call fails;
 * `user_config` builds a router of its own, so no model list can be read from such a request.
 */
const FALLBACK_FIELDS = ['fallbacks', 'context_window_fallbacks', 'content_policy_fallbacks'] as const;

/** Printable ASCII, no comma (LiteLLM's list separator), no glob or escape characters, bounded. */
const MODEL_NAME = /^[A-Za-z0-9._:/@+=~-]{1,256}$/;
const MAX_FALLBACK_DEPTH = 8;
const MAX_MODELS = 64;
/** Fields that name models or build routers; Go's encoding/json would also fill them from `MODEL`, `Fallbacks`, ... */
const MODEL_FIELDS = new Set(['model', 'target_model_names', 'user_config', 'router_settings_override', ...FALLBACK_FIELDS]);

export function modelsInBody(fields: Record<string, unknown>): string[] {
  if (fields.user_config !== undefined) throw unreadable('user_config defines models of its own');
  for (const key in fields) {
    const lower = key.toLowerCase();
    if (lower !== key && MODEL_FIELDS.has(lower)) throw unreadable(`"${key}" is "${lower}" to a case-insensitive decoder`);
  }
  const models = new Set<string>();
  addNamed(models, fields.model, 'model');
  addNamed(models, fields.target_model_names, 'target_model_names');
  for (const source of [fields, fields.router_settings_override]) {
    if (source === undefined || source === null) continue;
    if (!isObject(source)) throw unreadable('router_settings_override is not an object');
    for (const field of FALLBACK_FIELDS) addFallbacks(models, source[field], field, 0);
  }
  return [...models];
}

/** A string (comma-separated names) or a list of strings; anything else cannot be read. */
function addNamed(models: Set<string>, value: unknown, field: string): void {
  if (value === undefined || value === null) return;
  const names = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [value];
  for (const name of names) {
    if (typeof name !== 'string') throw unreadable(`${field} is not a model name or a list of them`);
    models.add(checkedModelName(name.trim(), field));
  }
  if (models.size > MAX_MODELS) throw unreadable(`more than ${MAX_MODELS} models named`);
}

/** Lists of names, `{model: name, <fallback field>: [...]}` entries, or `{group: [names]}` maps (keys count too). */
function addFallbacks(models: Set<string>, value: unknown, field: string, depth: number): void {
  if (value === undefined || value === null) return;
  if (depth > MAX_FALLBACK_DEPTH || !Array.isArray(value)) throw unreadable(`${field} is not a list LiteLLM reads`);
  for (const item of value) {
    if (typeof item === 'string') {
      addNamed(models, item, field);
    } else if (isObject(item) && typeof item.model === 'string') {
      addNamed(models, item.model, field);
      for (const nested of FALLBACK_FIELDS) addFallbacks(models, item[nested], field, depth + 1);
    } else if (isObject(item)) {
      for (const [group, targets] of Object.entries(item)) {
        addNamed(models, group, field);
        addFallbacks(models, targets, field, depth + 1);
      }
    } else {
      throw unreadable(`${field} holds an entry that is not a model name`);
    }
  }
}

export function checkedModelName(name: string, where: string): string {
  if (!MODEL_NAME.test(name) || name.split('/').some((s) => s === '.' || s === '..')) {
    throw new TollgateError('ERR_MODEL_INVALID', `${where} names a model outside the model name grammar`);
  }
  return name;
}

function unreadable(why: string): TollgateError {
  return new TollgateError('ERR_BODY_UNREADABLE', `the models of this request cannot be read: ${why}`);
}
