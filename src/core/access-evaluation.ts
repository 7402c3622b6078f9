import { TollgateError } from './errors.js';
import { isObject } from './is-object.js';
import { unknownEndpointFacts } from './llm.js';
import type { PolicyEngine } from './pipeline-ports.js';
import { identityDocument } from './policy-input.js';
import type { Decision, Principal } from './types.js';

/**
 * Access questions: "may this subject do this action on this resource", asked by an authenticated
 * caller (a PEP) rather than decided for the caller's own request. The AuthZEN adapter asks them;
 * policy answers through its own entrypoint (docs/authzen.md).
 */

/** Version tag of the access question input document. Bump on breaking change. */
export const ACCESS_INPUT_VERSION = 'tollgate.authzen/v1';

export interface Entity {
  type: string;
  id: string;
  properties?: Record<string, unknown>;
}

export interface ActionEntity {
  name: string;
  properties?: Record<string, unknown>;
}

export interface AccessQuestion {
  subject: Entity;
  action: ActionEntity;
  resource: Entity;
  context: Record<string, unknown>;
}

/** What the PEP gets back: AuthZEN's Decision. */
export interface AccessAnswer {
  decision: boolean;
  context?: Record<string, unknown>;
}

export interface AccessOptions {
  entrypoint: string;
  /** The tenant whose endpoint was called; null for the base endpoints. */
  tenant: string | null;
}

/** Who may ask (adapters.authzen.require_caller and required_scope). */
export interface CallerRule {
  required: boolean;
  scope: string | null;
}

/** Throws unless the authenticated caller (null: no credential) may ask access questions. */
export function checkCaller(caller: Principal | null, rule: CallerRule): void {
  if (!rule.required) return;
  if (!caller) throw new TollgateError('ERR_CALLER_UNAUTHENTICATED', 'authenticate the caller: access decisions reveal policy');
  if (rule.scope !== null && !caller.scopes.includes(rule.scope)) {
    throw new TollgateError('ERR_CALLER_SCOPE_MISSING', `the caller's credential lacks the scope "${rule.scope}"`);
  }
}

export interface AccessInputContext {
  question: AccessQuestion;
  caller: Principal | null;
  /** The identity Tollgate resolved for the subject (an API key by id); null when it names none. */
  subjectIdentity: Principal | null;
  tenant: string | null;
  nowMs: number;
}

/** The policy input of one access question (docs/authzen.md, "Policy contract"). */
export function accessInput({ question, caller, subjectIdentity, tenant, nowMs }: AccessInputContext): Record<string, unknown> {
  return {
    version: ACCESS_INPUT_VERSION,
    subject: question.subject,
    action: question.action,
    resource: question.resource,
    context: question.context,
    caller: identityDocument(caller),
    subject_identity: subjectIdentity ? identityDocument(subjectIdentity) : null,
    tenant,
    time: { now_ns: nowMs * 1e6, now: new Date(nowMs).toISOString() },
  };
}

/** Evaluates one question; a closed gate, no policy, an evaluation error or a malformed result throws. */
export function evaluateAccess(policy: PolicyEngine | undefined, entrypoint: string, input: Record<string, unknown>): AccessAnswer {
  if (!policy || !policy.ready) throw new TollgateError('ERR_POLICY_NOT_READY', 'no policy bundle is loaded');
  let resultSet: unknown[] | undefined;
  try {
    resultSet = policy.evaluateEntrypoint(entrypoint, input);
  } catch (err) {
    throw new TollgateError('ERR_POLICY_EVAL_FAILED', err instanceof Error ? err.message : String(err), { cause: err });
  }
  if (resultSet === undefined) throw new TollgateError('ERR_POLICY_RESULT_UNDEFINED', `the policy has no entrypoint "${entrypoint}"`);
  const first = resultSet[0];
  if (!isObject(first) || !('result' in first)) throw new TollgateError('ERR_POLICY_RESULT_UNDEFINED', 'the access decision is undefined for this input');
  return answerFromResult(first.result);
}

/** A boolean, or {decision: boolean, context?: object}; anything else is an error (and so a deny). */
export function answerFromResult(result: unknown): AccessAnswer {
  if (typeof result === 'boolean') return { decision: result };
  if (!isObject(result) || typeof result.decision !== 'boolean') {
    throw new TollgateError('ERR_POLICY_RESULT_INVALID', 'the access decision must be a boolean or an object with a boolean "decision"');
  }
  if (result.context === undefined) return { decision: result.decision };
  if (!isObject(result.context)) throw new TollgateError('ERR_POLICY_RESULT_INVALID', 'the access decision\'s "context" must be an object');
  return { decision: result.decision, context: result.context };
}

/** A failed question is a deny whose context says why (AuthZEN's per-evaluation error). */
export function errorAnswer(err: TollgateError): AccessAnswer {
  return { decision: false, context: { error: { status: err.status, code: err.reason, message: err.message } } };
}

export interface AccessRecord {
  decisionId: string;
  question: AccessQuestion;
  answer: AccessAnswer;
  error?: TollgateError;
  caller: Principal | null;
  tenant: string | null;
  policyRevision: string;
  durationMs: number;
}

/** One access question as the audit log and metrics see it: an allow or a deny, with what was asked. */
export function accessDecision(r: AccessRecord): Decision {
  const { subject, action, resource } = r.question;
  return {
    decisionId: r.decisionId,
    allow: r.answer.decision,
    status: r.error?.status ?? 200,
    reason: r.error?.reason ?? (r.answer.decision ? 'allowed' : 'denied'),
    errorCode: r.error?.code,
    headers: {},
    responseHeaders: {},
    removeHeaders: [],
    principal: r.caller ?? undefined,
    llm: unknownEndpointFacts(null),
    policyRevision: r.policyRevision,
    durationMs: r.durationMs,
    access: { subjectType: subject.type, subjectId: subject.id, action: action.name, resourceType: resource.type, resourceId: resource.id, tenant: r.tenant },
  };
}
