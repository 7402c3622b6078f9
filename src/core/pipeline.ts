import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { asTollgateError, TollgateError } from './errors.js';
import { readLlmFacts, unknownEndpointFacts, type LlmReading } from './llm.js';
import { IDENTITY_HEADERS, identityHeaders } from './identity-headers.js';
import { buildPolicyInput } from './policy-input.js';
import { verdictFromResultSet, type PolicyVerdict } from './decision.js';
import { evaluateQuery, evaluationRecord, type DocumentEvaluation, type DocumentQuery } from './document-evaluation.js';
import {
  accessDecision, accessInput, checkCaller, errorAnswer, evaluateAccess,
  type AccessAnswer, type AccessOptions, type AccessQuestion, type CallerRule, type Entity,
} from './access-evaluation.js';
import { DRY_RUN_ALLOW, dryRunAllow } from './dry-run.js';
import { answerAsMcp } from './mcp/mcp-answer.js';
import { mcpFactsForAnswer, readMcpFacts } from './mcp/mcp-facts.js';
import { evaluateCalls } from './mcp/mcp-input.js';
import type { AuthzRequest, Decision, Delegation, LlmFacts, McpFacts, Principal, ShadowOutcome } from './types.js';

/** Finds and verifies one kind of credential. */
export interface Authenticator {
  readonly name: string;
  /** Lower-case header names that carry this authenticator's credential. */
  readonly credentialHeaders: readonly string[];
  /** null: no credential of this kind present. Throws a TollgateError when one is present but not valid. */
  authenticate(req: AuthzRequest): Principal | null | Promise<Principal | null>;
}

/** Resolves the user an authenticated agent acts for (issue: agents acting on behalf of users). */
export interface DelegationResolver {
  readonly credentialHeaders: readonly string[];
  resolve(req: AuthzRequest, principal: Principal): Delegation | undefined | Promise<Delegation | undefined>;
}

/** Evaluates the loaded policy; returns the raw result set ([] when undefined). */
export interface PolicyEngine {
  readonly revision: string;
  readonly ready: boolean;
  evaluate(input: Record<string, unknown>): unknown;
  /** A named entrypoint (a data path such as `tollgate/kong`) on any input; undefined when the bundle has no such entrypoint. */
  evaluateEntrypoint(name: string, input: unknown): unknown[] | undefined;
  /** The bundle's data document at a path (AuthZEN search candidates); undefined when absent. */
  dataAt(path: readonly string[]): unknown;
}

/** A candidate policy evaluated beside the enforced one (policy.shadow); it never changes an answer. */
export interface ShadowEvaluator {
  /** The candidate's outcome when it disagrees with the enforced verdict; undefined when it agrees or was not sampled. Never throws. */
  compare(input: Record<string, unknown>, enforced: PolicyVerdict): ShadowOutcome | undefined;
}

/** Per-identity usage counters that policy can read as input.usage. */
export interface UsageReader {
  usageFor(principal: Principal): Record<string, unknown> | Promise<Record<string, unknown>>;
}

/** Request and token limits (src/limits): admitted before policy, concluded on the decision after it. */
export interface LimitAdmission {
  /** undefined: no limit applies. Throws a TollgateError when the limit store cannot answer. */
  admit(decisionId: string, req: AuthzRequest, principal: Principal, llm: LlmFacts, nowMs: number): Promise<AdmittedLimits | undefined>;
}

export interface AdmittedLimits {
  /** input.limits */
  input: Record<string, unknown>;
  /** Gives back what a deny must not consume; adds the rate-limit headers and metadata. */
  conclude(decision: Decision): void;
}

/** Audit log and metrics: told once about every decision. */
export interface DecisionObserver {
  onDecision(req: AuthzRequest, decision: Decision): void;
}

export interface PipelineDeps {
  authenticators: readonly Authenticator[];
  policy: () => PolicyEngine | undefined;
  /** The endpoint catalogue and how the upstream reads bodies (core/llm.ts). */
  reading: LlmReading;
  observers: readonly DecisionObserver[];
  delegation?: DelegationResolver;
  usage?: UsageReader;
  limits?: LimitAdmission;
  now?: () => number;
  /** Ask the gateway to drop the caller's credential header before it reaches the model provider. */
  removeCredentialHeaders?: boolean;
  /** Vetoes every decision while it returns an error (an unwritable audit trail with log.audit_fail_closed). */
  gate?: () => TollgateError | undefined;
  /** Where clients put credentials (identity/credentials.ts); one present that no authenticator accepts is a 401. */
  standardCredentialHeaders: readonly string[];
  /** RFC 9728 protected resource metadata URL named in the challenge of a 401 MCP answer (mcp.resource_metadata_url). */
  mcpResourceMetadataUrl?: string | null;
  /** Told when an observer throws: the others still hear of the decision, and the decision stands. */
  onObserverError?: (err: unknown) => void;
  /** The identity an access question's subject names, when Tollgate knows it (an API key by id). */
  subjectIdentity?: (subject: Entity) => Principal | null;
  shadow?: ShadowEvaluator;
  /** policy.mode dry_run: allow what policy denies, recording the deny (core/dry-run.ts). */
  dryRun?: boolean;
  /** log.include_input: keep the policy input on the decision for the audit record. */
  recordInput?: boolean;
}

/**
 * Asks the policy more questions about an allowed request, with the same input (POST
 * /v1/mcp/tools/filter asks whether each listed tool could be called); `evaluate` throws like policy does.
 */
export type PolicyProbe = (input: Record<string, unknown>, evaluate: (input: Record<string, unknown>) => PolicyVerdict) => void;

export class Pipeline {
  private readonly credentialHeaders: ReadonlySet<string>;
  private readonly primaryCredentialHeaders: readonly string[];
  private readonly now: () => number;

  constructor(private readonly deps: PipelineDeps) {
    this.now = deps.now ?? Date.now;
    const names = deps.authenticators.flatMap((a) => a.credentialHeaders);
    this.primaryCredentialHeaders = [...new Set([...deps.standardCredentialHeaders, ...names])];
    if (deps.delegation) names.push(...deps.delegation.credentialHeaders);
    this.credentialHeaders = new Set(names);
  }

  /** Never throws and never allows on failure: every error becomes a deny with a reason code. */
  async authorize(req: AuthzRequest, probe?: PolicyProbe): Promise<Decision> {
    const started = performance.now();
    const decisionId = randomUUID();
    const policy = this.deps.policy();
    let principal: Principal | null = null;
    let delegation: Delegation | undefined;
    let llm = unknownEndpointFacts(null);
    let mcp: McpFacts | null | undefined;
    let limits: AdmittedLimits | undefined;
    let decision: Decision;
    try {
      const closed = this.deps.gate?.();
      if (closed) throw closed;
      principal = await this.authenticate(req);
      if (principal && this.deps.delegation) delegation = await this.deps.delegation.resolve(req, principal);
      llm = readLlmFacts(req, this.deps.reading);
      mcp = readMcpFacts(req, llm);
      if (!policy || !policy.ready) throw new TollgateError('ERR_POLICY_NOT_READY', 'no policy bundle is loaded');
      const nowMs = this.now();
      // Both stores at once: with Redis, one round trip of latency for the two.
      const [usageRead, admission] = await Promise.allSettled([
        principal && this.deps.usage ? this.deps.usage.usageFor(principal) : undefined,
        principal && this.deps.limits ? this.deps.limits.admit(decisionId, req, principal, llm, nowMs) : undefined,
      ]);
      // Kept before any throw, so an admission is concluded (given back) even when the usage read failed.
      limits = settledValue(admission);
      const usage = settledValue(usageRead);
      const input = buildPolicyInput({ req, principal, delegation, llm, usage, limits: limits?.input, nowMs, credentialHeaders: this.credentialHeaders });
      const verdict = evaluateCalls(input, mcp, (doc) => evaluate(policy, doc));
      if (verdict.allow && probe) probe(input, (doc) => evaluate(policy, doc));
      decision = this.fromVerdict(decisionId, req, verdict, principal, delegation, llm);
      decision.shadow = this.deps.shadow?.compare(input, verdict);
      if (this.deps.recordInput) decision.policyInput = input;
    } catch (err) {
      // evaluate() labels policy failures itself; anything else thrown here is a bug, not a policy error.
      decision = this.fromFailure(decisionId, asTollgateError(err, 'ERR_INTERNAL'), principal, delegation, llm);
      mcp ??= mcpFactsForAnswer(req); // a refused MCP call is still answered in JSON-RPC, with its id
    }
    limits?.conclude(decision);
    if (mcp) answerAsMcp(decision, mcp, this.deps.mcpResourceMetadataUrl ?? null);
    decision.policyRevision = policy?.revision ?? '';
    if (this.deps.dryRun) decision = dryRunAllow(decision, () => this.fromVerdict(decisionId, req, DRY_RUN_ALLOW, principal, delegation, llm));
    decision.durationMs = performance.now() - started;
    this.record(req, decision);
    return decision;
  }

  /**
   * A request the adapter could not decode (malformed, oversized) is still a recorded deny, so no
   * request goes unaudited.
   */
  reject(req: AuthzRequest, err: TollgateError): Decision {
    const decision = this.fromFailure(randomUUID(), err, null, undefined, unknownEndpointFacts(null));
    decision.policyRevision = this.deps.policy()?.revision ?? '';
    this.record(req, decision);
    return decision;
  }

  /**
   * The OPA Data API's path: one entrypoint evaluated on caller-written input, recorded once as an
   * evaluation (never an allow), including a query that could not be read.
   */
  async evaluateDocument(req: AuthzRequest, read: () => DocumentQuery | Promise<DocumentQuery>): Promise<DocumentEvaluation> {
    const started = performance.now();
    const decisionId = randomUUID();
    const policy = this.deps.policy();
    const outcome = await evaluateQuery(policy, read);
    this.record(req, evaluationRecord(decisionId, outcome, policy?.revision ?? '', performance.now() - started));
    return { decisionId, outcome };
  }

  /**
   * Access questions (AuthZEN), step one: who the caller (the PEP) is, by the same authenticators.
   * A missing credential or scope where `rule` requires one, or an invalid credential, is recorded here.
   */
  async authenticateCaller(req: AuthzRequest, rule: CallerRule): Promise<{ caller: Principal | null } | { failure: Decision }> {
    const started = performance.now();
    let principal: Principal | null = null;
    try {
      const closed = this.deps.gate?.();
      if (closed) throw closed;
      principal = await this.authenticate(req);
      checkCaller(principal, rule);
      return { caller: principal };
    } catch (err) {
      const decision = this.fromFailure(randomUUID(), asTollgateError(err, 'ERR_INTERNAL'), principal, undefined, unknownEndpointFacts(null));
      decision.policyRevision = this.deps.policy()?.revision ?? '';
      decision.durationMs = performance.now() - started;
      this.record(req, decision);
      return { failure: decision };
    }
  }

  /** Step two, once per question: one decision record each; failures are denies whose context says why. Never throws. */
  answerAccess(req: AuthzRequest, caller: Principal | null, question: AccessQuestion, options: AccessOptions): AccessAnswer {
    const started = performance.now();
    const policy = this.deps.policy();
    let answer: AccessAnswer;
    let error: TollgateError | undefined;
    try {
      const closed = this.deps.gate?.();
      if (closed) throw closed;
      const subjectIdentity = this.deps.subjectIdentity?.(question.subject) ?? null;
      answer = evaluateAccess(policy, options.entrypoint, accessInput({ question, caller, subjectIdentity, tenant: options.tenant, nowMs: this.now() }));
    } catch (err) {
      error = asTollgateError(err, 'ERR_INTERNAL');
      answer = errorAnswer(error);
    }
    this.record(req, accessDecision({
      decisionId: randomUUID(), question, answer, error, caller, tenant: options.tenant,
      policyRevision: policy?.revision ?? '', durationMs: performance.now() - started,
    }));
    return answer;
  }

  /** The loaded bundle's data at a path (AuthZEN search candidates); undefined when no policy is loaded. */
  policyData(path: readonly string[]): unknown {
    return this.deps.policy()?.dataAt(path);
  }

  /** The one place observers (audit log, metrics, recent decisions) hear of a decision. */
  private record(req: AuthzRequest, decision: Decision): void {
    for (const observer of this.deps.observers) {
      try {
        observer.onDecision(req, decision);
      } catch (err) {
        this.deps.onObserverError?.(err);
      }
    }
  }

  /** Authenticators run in order; the first that finds a credential decides (an invalid one throws). */
  private async authenticate(req: AuthzRequest): Promise<Principal | null> {
    for (const authenticator of this.deps.authenticators) {
      const principal = await authenticator.authenticate(req);
      if (principal) return principal;
    }
    // A credential nobody recognised is an invalid credential, never an anonymous caller.
    for (const name of this.primaryCredentialHeaders) {
      if (name in req.headers) throw new TollgateError('ERR_CREDENTIAL_INVALID', `no authenticator accepts the credential in ${name}`);
    }
    return null;
  }

  private fromVerdict(
    decisionId: string, req: AuthzRequest, verdict: PolicyVerdict,
    principal: Principal | null, delegation: Delegation | undefined, llm: LlmFacts,
  ): Decision {
    const decision = baseDecision(decisionId, verdict.allow, verdict.status, verdict.reason, principal, delegation, llm);
    decision.responseHeaders = verdict.responseHeaders;
    decision.dynamicMetadata = verdict.dynamicMetadata;
    if (verdict.allow) {
      // Policy headers first, so a policy can never overwrite the identity headers Tollgate owns.
      decision.headers = { ...verdict.headers, ...identityHeaders(decisionId, principal, delegation) };
      decision.removeHeaders = [...verdict.removeHeaders, ...IDENTITY_HEADERS.filter((h) => h in req.headers)];
      if (this.deps.removeCredentialHeaders) {
        for (const name of this.credentialHeaders) if (name in req.headers) decision.removeHeaders.push(name);
      }
    } else {
      decision.headers = verdict.headers;
      decision.denial = { code: verdict.reason, message: `denied by policy: ${verdict.reason}` };
      if (verdict.body !== undefined) decision.denial.policyBody = verdict.body;
      if (verdict.status === 401) decision.denial.challenge = {};
    }
    return decision;
  }

  private fromFailure(
    decisionId: string, err: TollgateError, principal: Principal | null, delegation: Delegation | undefined, llm: LlmFacts,
  ): Decision {
    const decision = baseDecision(decisionId, false, err.status, err.reason, principal, delegation, llm);
    decision.errorCode = err.code;
    decision.denial = { code: err.reason, message: err.message };
    if (err.status === 401) decision.denial.challenge = { error: 'invalid_token' };
    return decision;
  }
}

function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

function evaluate(policy: PolicyEngine, input: Record<string, unknown>): PolicyVerdict {
  let resultSet: unknown;
  try {
    resultSet = policy.evaluate(input);
  } catch (err) {
    throw asTollgateError(err, 'ERR_POLICY_EVAL_FAILED');
  }
  return verdictFromResultSet(resultSet);
}

function baseDecision(
  decisionId: string, allow: boolean, status: number, reason: string,
  principal: Principal | null, delegation: Delegation | undefined, llm: LlmFacts,
): Decision {
  return {
    decisionId, allow, status, reason, llm,
    headers: {}, responseHeaders: {}, removeHeaders: [],
    principal: principal ?? undefined, delegation,
    policyRevision: '', durationMs: 0,
  };
}
