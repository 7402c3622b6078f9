import type { DecidedCaller } from '../../outcomes/recent-decisions.js';
import type { FindDecision } from './messages.js';

/** Longer than the primary's wait for the other workers, so their "not here" arrives first. */
const FIND_TIMEOUT_MS = 3_000;

/**
 * A worker's way to the decisions the other workers remember: an outcome report lands on whichever
 * worker round robin picks, not on the one that decided. Only asked when this worker does not
 * remember the decision; no answer in time is "unknown", handled as between replicas.
 */
export class PeerDecisions {
  private readonly waiting = new Map<number, (caller: DecidedCaller | null) => void>();
  private nextId = 0;

  readonly find = (decisionId: string): Promise<DecidedCaller | undefined> => new Promise((resolve) => {
    const id = this.nextId++;
    const timer = setTimeout(() => this.found(id, null), FIND_TIMEOUT_MS);
    this.waiting.set(id, (caller) => {
      clearTimeout(timer);
      this.waiting.delete(id);
      resolve(caller ?? undefined);
    });
    const ask: FindDecision = { tollgate: 'find_decision', id, decision_id: decisionId };
    process.send?.(ask, undefined, undefined, (err) => err && this.found(id, null));
  });

  found(id: number, caller: DecidedCaller | null): void {
    this.waiting.get(id)?.(caller);
  }
}
