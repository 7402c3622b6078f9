import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { thenOrNow } from '../common/maybe-async.js';
import { asTollgateError, TollgateError } from './errors.js';
import { readLlmFacts, unknownEndpointFacts } from './llm.js';
import { decisionFromFailure, decisionFromVerdict, type DecisionFacts } from './decision-build.js';
import { buildPolicyInput } from './policy-input.js';
import { verdictFromResultSet, type PolicyVerdict } from './decision.js';
import { evaluateQuery, evaluationRecord, type DocumentEvaluation, type DocumentQuery } from './document-evaluation.js';
import {
  accessDecision, accessInput, checkCaller, errorAnswer, evaluateAccess,
  type AccessAnswer, type AccessOptions, type AccessQuestion, type CallerRule,
} from './access-evaluation.js';
import { DRY_RUN_ALLOW, dryRunAllow } from './dry-run.js';
import { answerAsMcp } from './mcp/mcp-answer.js';
import { mcpFactsForAnswer, readMcpFacts } from './mcp/mcp-facts.js';
import { evaluateCalls } from './mcp/mcp-input.js';
import type { AdmittedLimits, PipelineDeps, PolicyEngine, PolicyProbe } from './pipeline-ports.js';
import type { AuthzRequest, Decision, McpFacts, Principal } from './types.js';

export class Pipeline {
  private readonly credentialHeaders: ReadonlySet<string>;
  /** The credential headers an allow asks the gateway to drop (upstream.remove_credential_headers), or null. */
  private readonly removedCredentialHeaders: ReadonlySet<string> | null;
  private readonly primaryCredentialHeaders: readonly string[];
  private readonly now: () => number;

  constructor(private readonly deps: PipelineDeps) {
    this.now = deps.now ?? Date.now;
    const names = deps.authenticators.flatMap((a) => a.credentialHeaders);
    this.primaryCredentialHeaders = [...new Set([...deps.standardCredentialHeaders, ...names])];
    if (deps.delegation) names.push(...deps.delegation.credentialHeaders);
    this.credentialHeaders = new Set(names);
    this.removedCredentialHeaders = deps.removeCredentialHeaders ? this.credentialHeaders : null;
  }

  /**
   * Never throws and never allows on failure: every error becomes a deny with a reason code. Answers
   * synchronously when every step is (API keys, in-memory stores): no promise, no microtask per step.
   */
  authorize(req: AuthzRequest, probe?: PolicyProbe): Decision | Promise<Decision> {
    const run: DecisionRun = {
      started: performance.now(), decisionId: randomUUID(), policy: this.deps.policy(),
      principal: null, delegation: undefined, llm: unknownEndpointFacts(null), mcp: undefined, limits: undefined,
    };
    let decided: Decision | Promise<Decision>;
    try {
      const closed = this.deps.gate?.();
      if (closed) throw closed;
      decided = thenOrNow(this.authenticate(req), (principal) => {
        run.principal = principal;
        const delegation = principal && this.deps.delegation ? this.deps.delegation.resolve(req, principal) : undefined;
        return thenOrNow(delegation, (resolved) => {
          run.delegation = resolved;
          return this.decide(run, req, probe);
        });
      });
    } catch (err) {
      return this.conclude(run, req, this.failure(run, req, err));
    }
    if (!(decided instanceof Promise)) return this.conclude(run, req, decided);
    return decided.then((decision) => this.conclude(run, req, decision), (err: unknown) => this.conclude(run, req, this.failure(run, req, err)));
  }

  /** The caller is known: read the request, consult the stores, evaluate. */
  private decide(run: DecisionRun, req: AuthzRequest, probe: PolicyProbe | undefined): Decision | Promise<Decision> {
    const { principal, policy } = run;
    run.llm = readLlmFacts(req, this.deps.reading);
    const mcp = readMcpFacts(req, run.llm);
    run.mcp = mcp;
    if (!policy || !policy.ready) throw new TollgateError('ERR_POLICY_NOT_READY', 'no policy bundle is loaded');
    const nowMs = this.now();
    // The usage read first: if it throws at once, nothing has been admitted that would need giving back.
    const usageRead = principal && this.deps.usage ? this.deps.usage.usageFor(principal) : undefined;
    const admission = principal && this.deps.limits ? this.deps.limits.admit(run.decisionId, req, principal, run.llm, nowMs) : undefined;
    const reading = { req, probe, policy, mcp, nowMs };
    if (!(admission instanceof Promise) && !(usageRead instanceof Promise)) {
      run.limits = admission;
      return this.evaluate(run, reading, usageRead);
    }
    // Both stores at once: with Redis, one round trip of latency for the two.
    return Promise.allSettled([usageRead, admission]).then(([usageSettled, admissionSettled]) => {
      // Kept before any throw, so an admission is concluded (given back) even when the usage read failed.
      run.limits = settledValue(admissionSettled);
      return this.evaluate(run, reading, settledValue(usageSettled));
    });
  }

  private evaluate(run: DecisionRun, { req, probe, policy, mcp, nowMs }: ReadRequest, usage: Record<string, unknown> | undefined): Decision {
    const { principal, delegation, llm } = run;
    const input = buildPolicyInput({ req, principal, delegation, llm, usage, limits: run.limits?.input, nowMs, credentialHeaders: this.credentialHeaders });
    const verdict = evaluateCalls(input, mcp, (doc) => evaluate(policy, doc));
    if (verdict.allow && probe) probe(input, (doc) => evaluate(policy, doc));
    const decision = decisionFromVerdict(run, req, verdict, this.removedCredentialHeaders);
    decision.shadow = this.deps.shadow?.compare(input, verdict);
    if (this.deps.recordInput) decision.policyInput = input;
    return decision;
  }

  /** evaluate() labels policy failures itself; anything else thrown on the way is a bug, not a policy error. */
  private failure(run: DecisionRun, req: AuthzRequest, err: unknown): Decision {
    run.mcp ??= mcpFactsForAnswer(req); // a refused MCP call is still answered in JSON-RPC, with its id
    return decisionFromFailure(run, asTollgateError(err, 'ERR_INTERNAL'));
  }

  /** Every decision, allow or deny, ends here: limits settled, the answer shaped, the record written. */
  private conclude(run: DecisionRun, req: AuthzRequest, decided: Decision): Decision {
    let decision = decided;
    run.limits?.conclude(decision);
    if (run.mcp) answerAsMcp(decision, run.mcp, this.deps.mcpResourceMetadataUrl ?? null);
    decision.policyRevision = run.policy?.revision ?? '';
    if (this.deps.dryRun) decision = dryRunAllow(decision, () => decisionFromVerdict(run, req, DRY_RUN_ALLOW, this.removedCredentialHeaders));
    decision.durationMs = performance.now() - run.started;
    this.record(req, decision);
    return decision;
  }

  /**
   * A request the adapter could not decode (malformed, oversized) is still a recorded deny, so no
   * request goes unaudited.
   */
  reject(req: AuthzRequest, err: TollgateError): Decision {
    const decision = decisionFromFailure(unknownCaller(), err);
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
      const decision = decisionFromFailure({ ...unknownCaller(), principal }, asTollgateError(err, 'ERR_INTERNAL'));
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
  private authenticate(req: AuthzRequest, from = 0): Principal | null | Promise<Principal | null> {
    const { authenticators } = this.deps;
    for (let i = from; i < authenticators.length; i++) {
      const found = authenticators[i].authenticate(req);
      if (found instanceof Promise) return found.then((principal) => principal ?? this.authenticate(req, i + 1));
      if (found) return found;
    }
    // A credential nobody recognised is an invalid credential, never an anonymous caller.
    for (const name of this.primaryCredentialHeaders) {
      if (name in req.headers) throw new TollgateError('ERR_CREDENTIAL_INVALID', `no authenticator accepts the credential in ${name}`);
    }
    return null;
  }
}

/** What one authorization has learned so far: what its record needs however it ends. */
interface DecisionRun extends DecisionFacts {
  started: number;
  policy: PolicyEngine | undefined;
  mcp: McpFacts | null | undefined;
  limits: AdmittedLimits | undefined;
}

/** A request read and ready for its policy. */
interface ReadRequest {
  req: AuthzRequest;
  probe: PolicyProbe | undefined;
  policy: PolicyEngine;
  mcp: McpFacts | null;
  nowMs: number;
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

/** The facts of a decision made before the request was read (undecodable input, a refused AuthZEN caller). */
function unknownCaller(): DecisionFacts {
  return { decisionId: randomUUID(), principal: null, delegation: undefined, llm: unknownEndpointFacts(null) };
}
