import express, { type Express } from 'express';
import type { AuditTrail } from '../observability/audit-trail.js';
import type { Metrics } from '../observability/metrics.js';
import type { PolicyStore } from '../policy/policy-store.js';
import { TollgateError } from '../core/errors.js';
import { adminMutationGuard, type AdminAccess } from './admin-access.js';
import { sendError } from './body.js';
import { notReadyReason } from './readiness.js';

export interface AdminDeps {
  metrics: Metrics;
  policies: PolicyStore;
  /** The audit destinations: a broken one makes the instance not ready. */
  audit: AuditTrail;
  access: AdminAccess;
}

/** Admin port: liveness, readiness (a policy is loaded and the audit trail is written), Prometheus metrics, policy status. */
export function createAdminApp({ metrics, policies, audit, access }: AdminDeps): Express {
  const noPolicy = new TollgateError('ERR_POLICY_NOT_READY', 'no policy bundle is loaded');
  const app = express();
  app.disable('x-powered-by');
  app.use(adminMutationGuard(access));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const engine = policies.current();
    const reason = notReadyReason(engine, audit);
    if (!engine) res.status(503).json({ status: 'not_ready', reason });
    else if (reason) res.status(503).json({ status: 'not_ready', reason, audit: audit.status() });
    else res.json({ status: 'ready', policy_revision: engine.revision, audit: audit.status() });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/v1/admin/policy', (_req, res) => {
    const engine = policies.current();
    if (!engine) {
      sendError(res, noPolicy);
      return;
    }
    res.json({ revision: engine.revision, entrypoints: engine.entrypoints, required_builtins: engine.requiredBuiltins });
  });
  app.post('/v1/admin/policy/reload', async (_req, res) => {
    const error = await policies.reload();
    const revision = policies.current()?.revision ?? null;
    // As a cluster answers: a refused bundle is a failure to report, not a 200 with the old revision.
    if (error) res.status(500).json({ status: 'failed', reason: 'reload_failed', revision, error: error.message });
    else res.json({ revision });
  });
  return app;
}
