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

export type ToWorker =
  | { tollgate: 'ask'; id: number; question: Question }
  | { tollgate: 'shutdown' };

export type ToPrimary =
  | { tollgate: 'answer'; id: number; answer: WorkerStatus | ReloadAnswer }
  | { tollgate: 'listening'; http: number; grpc: number | null };

/** Messages on the channel that are not ours (prom-client's metrics requests share it). */
export function isOurs<T extends { tollgate: string }>(message: unknown): message is T {
  return typeof message === 'object' && message !== null && typeof (message as { tollgate?: unknown }).tollgate === 'string';
}
