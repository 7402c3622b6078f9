import type { DecisionObserver } from '../core/pipeline-ports.js';
import type { AuthzRequest, Decision } from '../core/types.js';
import { BoundedMap } from '../common/bounded-map.js';

/** Who a decision was about: what an outcome record needs when the gateway's report does not say. */
export interface DecidedCaller {
  /** Principal.id: what usage is counted under. */
  principalId: string | null;
  subject: string | null;
  credential: string;
  keyId: string | null;
  tenant: string | null;
  onBehalfOf: string | null;
  gateway: string;
  /** The model the caller asked for (the outcome says which one answered). */
  model: string | null;
}

/** Remembers the callers of recent allowed decisions, by decision id (bounded LRU). */
export class RecentDecisions implements DecisionObserver {
  private readonly callers: BoundedMap<string, DecidedCaller>;

  constructor(capacity: number) {
    this.callers = new BoundedMap(capacity);
  }

  onDecision(req: AuthzRequest, d: Decision): void {
    // Only an allowed call reaches a model, so only those can have an outcome (an AuthZEN answer reaches none).
    if (!d.allow || d.access) return;
    this.callers.set(d.decisionId, {
      principalId: d.principal?.id ?? null,
      subject: d.principal?.subject ?? null,
      credential: d.principal?.kind ?? 'none',
      keyId: d.principal?.keyId ?? null,
      tenant: d.principal?.tenant ?? null,
      onBehalfOf: d.delegation?.user.subject ?? null,
      gateway: req.gateway,
      model: d.llm.model,
    });
  }

  get(decisionId: string): DecidedCaller | undefined {
    return this.callers.get(decisionId);
  }
}
