import express, { type Express } from 'express';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { TollgateError } from '../../core/errors.js';
import { adminMutationGuard, type AdminAccess } from '../admin-access.js';
import { sendError } from '../body.js';
import { agree } from './agreement.js';
import type { WorkerStatus } from './messages.js';
import type { SharedReloads } from './shared-reloads.js';
import type { WorkerPool } from './worker-pool.js';

export interface ClusterAdminDeps {
  pool: WorkerPool;
  reloads: SharedReloads;
  workers: number;
  access: AdminAccess;
  /** The primary's own metrics (worker restarts). */
  registry: Registry;
}

/**
 * The admin port of a cluster, served by the primary: the same routes as one process (src/server/admin.ts)
 * answered by asking every worker. Ready only when every worker is up and ready; a policy reload reaches
 * every worker; /metrics sums the workers' counters and histograms (gauges as each one declares).
 */
export function createClusterAdminApp({ pool, reloads, workers, access, registry }: ClusterAdminDeps): Express {
  const aggregator = new AggregatorRegistry();
  const app = express();
  app.disable('x-powered-by');
  app.use(adminMutationGuard(access));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const statuses = await pool.ask<WorkerStatus>('status');
    const notReady = statuses.find((s) => !s.ready);
    const body = {
      workers: statuses.map(({ pid, ready, reason, policy_revision, policy_sha256, keys_sha256, decisions }) => ({ pid, ready, reason, policy_revision, policy_sha256, keys_sha256, decisions })),
    };
    // Fail closed: a worker serving another bundle or other keys (one a revoked key still opens) makes the whole process not ready.
    const disagree = (['policy_sha256', 'keys_sha256'] as const).filter((field) => !agree(statuses, field));
    if (statuses.length < workers) res.status(503).json({ status: 'not_ready', reason: 'workers_unavailable', ready_workers: statuses.length, ...body });
    else if (notReady) res.status(503).json({ status: 'not_ready', reason: notReady.reason, audit: notReady.audit, ...body });
    else if (disagree.length > 0) res.status(503).json({ status: 'not_ready', reason: 'workers_disagree', disagree, ...body });
    else res.json({ status: 'ready', policy_revision: statuses[0].policy_revision, audit: statuses[0].audit, ...body });
  });
  app.get('/metrics', async (_req, res) => {
    const [workersText, own] = await Promise.all([aggregator.clusterMetrics(), registry.metrics()]);
    res.type(aggregator.contentType).send(workersText + own);
  });
  app.get('/v1/admin/policy', async (_req, res) => {
    const statuses = await pool.ask<WorkerStatus>('status');
    const serving = statuses.find((s) => s.policy_revision !== null);
    if (!serving) {
      sendError(res, new TollgateError('ERR_POLICY_NOT_READY', 'no policy bundle is loaded'));
      return;
    }
    const perWorker = statuses.map(({ pid, policy_revision, policy_sha256 }) => ({ pid, revision: policy_revision, policy_sha256 }));
    if (!agree(statuses, 'policy_sha256')) {
      res.status(503).json({ status: 'not_ready', reason: 'workers_disagree', revision: null, workers: perWorker });
      return;
    }
    res.json({ revision: serving.policy_revision, entrypoints: serving.entrypoints, required_builtins: serving.required_builtins, workers: perWorker });
  });
  app.post('/v1/admin/policy/reload', async (_req, res) => {
    const answers = await reloads.reloadPolicy();
    if (answers.length < workers) {
      // A worker that is restarting loads the bundle on disk when it starts; say who did reload.
      res.status(503).json({ status: 'partial', reason: 'workers_unavailable', revision: null, workers: answers });
    } else if (answers.some((a) => a.error !== undefined)) {
      // Those workers keep their last good bundle; each answer says which and why.
      res.status(500).json({ status: 'failed', reason: 'reload_failed', revision: null, workers: answers });
    } else if (!agree(answers, 'policy_sha256')) {
      res.status(500).json({ status: 'failed', reason: 'workers_disagree', revision: null, workers: answers });
    } else res.json({ revision: answers[0].revision, workers: answers });
  });
  return app;
}
