import express, { type Express } from 'express';
import type { Metrics } from '../observability/metrics.js';
import type { PolicyStore } from '../policy/policy-store.js';

/** Admin port: liveness, readiness (a policy is loaded), Prometheus metrics, policy status. */
export function createAdminApp(metrics: Metrics, policies: PolicyStore): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const engine = policies.current();
    if (engine) res.json({ status: 'ready', policy_revision: engine.revision });
    else res.status(503).json({ status: 'not_ready', reason: 'policy_not_loaded' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/v1/admin/policy', (_req, res) => {
    const engine = policies.current();
    if (!engine) {
      res.status(503).json({ error: { code: 'policy_not_ready', message: 'no policy bundle is loaded' } });
      return;
    }
    res.json({ revision: engine.revision, entrypoints: engine.entrypoints, required_builtins: engine.requiredBuiltins });
  });
  app.post('/v1/admin/policy/reload', async (_req, res) => {
    await policies.reload();
    res.json({ revision: policies.current()?.revision ?? null });
  });
  return app;
}
