import { TollgateError } from '../../core/errors.js';
import { isObject } from '../../core/is-object.js';
import type { AccessQuestion, ActionEntity, Entity } from '../../core/access-evaluation.js';
import { parseJsonBody } from '../../server/body.js';
import { requestMalformed } from '../http/malformed.js';

/**
 * AuthZEN 1.0 request bodies (openid/authzen api/authorization-api-1_0.md): a missing or mistyped
 * required field is a 400 (request_malformed); unknown fields are ignored.
 */

/** The body as a JSON object: the content type must be application/json, and the body non-empty. */
export function readAccessBody(contentType: string | undefined, body: Buffer): Record<string, unknown> {
  const mediaType = contentType?.split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/json') throw requestMalformed('Content-Type must be application/json');
  if (body.length === 0) throw requestMalformed('the body is empty: send a JSON object');
  const doc = parseJsonBody(body);
  if (!isObject(doc)) throw requestMalformed('the body must be a JSON object');
  return doc;
}

/** POST /access/v1/evaluation. */
export function decodeEvaluation(doc: Record<string, unknown>): AccessQuestion {
  return {
    subject: entity(doc.subject, 'subject', true),
    action: action(doc.action),
    resource: entity(doc.resource, 'resource', true),
    context: context(doc.context, 'context'),
  };
}

export const SEMANTICS = ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'] as const;
export type EvaluationsSemantic = (typeof SEMANTICS)[number];

export type EvaluationsRequest =
  /** No or an empty `evaluations` array: a single evaluation, answered as one. */
  | { kind: 'single'; question: AccessQuestion }
  /** Each item merged with the top-level defaults; an item that is still invalid is its own error. */
  | { kind: 'batch'; items: Array<AccessQuestion | TollgateError>; semantic: EvaluationsSemantic };

/** POST /access/v1/evaluations: top-level subject/action/resource/context are defaults for each item. */
export function decodeEvaluations(doc: Record<string, unknown>, maxEvaluations: number): EvaluationsRequest {
  const { evaluations, options } = doc;
  if (evaluations !== undefined && !Array.isArray(evaluations)) throw requestMalformed('"evaluations" must be an array');
  if (!evaluations || evaluations.length === 0) return { kind: 'single', question: decodeEvaluation(doc) };
  if (evaluations.length > maxEvaluations) {
    throw new TollgateError('ERR_REQUEST_TOO_LARGE', `at most ${maxEvaluations} evaluations per request (adapters.authzen.max_evaluations)`);
  }
  const semantic = evaluationsSemantic(options);
  // Defaults may be partial (items complete them), but what they do say must be well typed.
  if (doc.subject !== undefined) entity(doc.subject, 'subject', false);
  if (doc.resource !== undefined) entity(doc.resource, 'resource', false);
  if (doc.action !== undefined) action(doc.action, false);
  context(doc.context, 'context');
  const items = evaluations.map((item: unknown, i): AccessQuestion | TollgateError => {
    try {
      if (!isObject(item)) throw requestMalformed(`evaluations[${i}] must be an object`);
      return decodeEvaluation({
        subject: withDefault(item.subject, doc.subject, ['type', 'id']),
        action: withDefault(item.action, doc.action, ['name']),
        resource: withDefault(item.resource, doc.resource, ['type', 'id']),
        context: item.context ?? doc.context,
      });
    } catch (err) {
      return err as TollgateError;
    }
  });
  return { kind: 'batch', items, semantic };
}

/**
 * A per-item entity replaces the default whole (properties are not merged); only its identifying
 * fields, when it leaves them out, fall back to the default's.
 */
function withDefault(item: unknown, fallback: unknown, idKeys: readonly string[]): unknown {
  if (item === undefined) return fallback;
  if (!isObject(item) || !isObject(fallback)) return item;
  const merged = { ...item };
  for (const key of idKeys) if (merged[key] === undefined) merged[key] = fallback[key];
  return merged;
}

function evaluationsSemantic(options: unknown): EvaluationsSemantic {
  if (options === undefined) return 'execute_all';
  if (!isObject(options)) throw requestMalformed('"options" must be an object');
  const semantic = options.evaluations_semantic ?? 'execute_all';
  if (!SEMANTICS.includes(semantic as EvaluationsSemantic)) throw requestMalformed(`"options.evaluations_semantic" must be one of ${SEMANTICS.join(', ')}`);
  return semantic as EvaluationsSemantic;
}

/** A subject or resource; `needId` false for the entity a search looks for (its id is ignored). */
export function entity(value: unknown, name: string, needId: boolean): Entity {
  if (value === undefined) throw requestMalformed(`"${name}" is required`);
  if (!isObject(value)) throw requestMalformed(`"${name}" must be an object`);
  const { type, id, properties } = value;
  if (typeof type !== 'string') throw requestMalformed(`"${name}.type" must be a string`);
  if (needId ? typeof id !== 'string' : id !== undefined && typeof id !== 'string') throw requestMalformed(`"${name}.id" must be a string`);
  const out: Entity = { type, id: typeof id === 'string' && needId ? id : '' };
  if (properties !== undefined) out.properties = context(properties, `${name}.properties`);
  return out;
}

export function action(value: unknown, needName = true): ActionEntity {
  if (value === undefined) throw requestMalformed('"action" is required');
  if (!isObject(value)) throw requestMalformed('"action" must be an object');
  const { name, properties } = value;
  if (needName ? typeof name !== 'string' : name !== undefined && typeof name !== 'string') throw requestMalformed('"action.name" must be a string');
  const out: ActionEntity = { name: typeof name === 'string' ? name : '' };
  if (properties !== undefined) out.properties = context(properties, 'action.properties');
  return out;
}

/** An optional object field ({} when absent). */
export function context(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isObject(value)) throw requestMalformed(`"${name}" must be an object`);
  return value;
}
