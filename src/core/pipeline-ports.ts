import type { TollgateError } from './errors.js';
import type { LlmReading } from './llm.js';
import type { PolicyVerdict } from './decision.js';
import type { Entity } from './access-evaluation.js';
import type { AuthzRequest, Decision, Delegation, LlmFacts, Principal, ShadowOutcome } from './types.js';

// The ports of the pipeline: what it is given (src/app.ts wires the implementations).

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
  /**
   * undefined (at once, or as the promise's value): no limit applies. Synchronous for a store in this
   * process. Rejects with a TollgateError when the limit store cannot answer.
   */
  admit(decisionId: string, req: AuthzRequest, principal: Principal, llm: LlmFacts, nowMs: number): AdmittedLimits | Promise<AdmittedLimits | undefined> | undefined;
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
