import type { DecidedCaller } from '../../outcomes/recent-decisions.js';

/** What the primary and its workers say to each other over the cluster IPC channel. */

/** What the primary asks every worker: the admin port's questions, and reloads of the files it watches for them. */
export type Question = 'status' | 'reload_policy' | 'reload_keys';

/** One worker's readiness and policy: what /readyz and /v1/admin/policy report per worker. */
export interface WorkerStatus {
  pid: number;
  ready: boolean;
  /** Why not ready: the error code's reason (policy_not_ready) or audit_unavailable. */
  reason: string | null;
  policy_revision: string | null;
  /** The serving bundle's and the API keys' digests: every worker must have the same (see agreement.ts). */
  policy_sha256: string | null;
  keys_sha256: string | null;
  entrypoints: string[];
  required_builtins: unknown;
  audit: Record<string, boolean>;
  /** Decisions this worker has made: shows how cluster round robin spread the connections. */
  decisions: number;
}

/** After a policy reload: what the worker serves now, and why the reload failed if it did. */
export interface ReloadAnswer {
  pid: number;
  revision: string | null;
  policy_sha256: string | null;
  error?: string;
}

export interface KeysAnswer {
  pid: number;
  keys_sha256: string | null;
  error?: string;
}

export type Answer = WorkerStatus | ReloadAnswer | KeysAnswer;

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
  | { tollgate: 'answer'; id: number; answer: Answer }
  | FindDecision
  | FoundDecision
  | { tollgate: 'listening'; http: number; grpc: number | null };

/** Messages on the channel that are not ours (prom-client's metrics requests share it). */
export function isOurs<T extends { tollgate: string }>(message: unknown): message is T {
  return typeof message === 'object' && message !== null && typeof (message as { tollgate?: unknown }).tollgate === 'string';
}
