import type { DecidedCaller } from '../../outcomes/recent-decisions.js';

/** What the primary and its workers say to each other over the cluster IPC channel. */

/** What the admin port asks every worker. */
export type Question = 'status' | 'reload';

/** One worker's readiness and policy: what /readyz and /v1/admin/policy report per worker. */
export interface WorkerStatus {
  pid: number;
  ready: boolean;
  /** Why not ready: the error code's reason (policy_not_ready) or audit_unavailable. */
  reason: string | null;
  policy_revision: string | null;
  entrypoints: string[];
  required_builtins: unknown;
  audit: Record<string, boolean>;
  /** Decisions this worker has made: shows how cluster round robin spread the connections. */
  decisions: number;
}

export interface ReloadAnswer {
  pid: number;
  revision: string | null;
  error?: string;
}

/**
 * An outcome names a decision its worker does not remember: the worker asks the primary, the primary
 * asks the other workers, and the caller (or null) goes back the same way.
 */
export interface FindDecision { tollgate: 'find_decision'; id: number; decision_id: string }
export interface FoundDecision { tollgate: 'found_decision'; id: number; caller: DecidedCaller | null }

export type ToWorker =
  | { tollgate: 'ask'; id: number; question: Question }
  | FindDecision
  | FoundDecision
  | { tollgate: 'shutdown' };

export type ToPrimary =
  | { tollgate: 'answer'; id: number; answer: WorkerStatus | ReloadAnswer }
  | FindDecision
  | FoundDecision
  | { tollgate: 'listening'; http: number; grpc: number | null };

/** Messages on the channel that are not ours (prom-client's metrics requests share it). */
export function isOurs<T extends { tollgate: string }>(message: unknown): message is T {
  return typeof message === 'object' && message !== null && typeof (message as { tollgate?: unknown }).tollgate === 'string';
}
