import { AggregatorRegistry } from 'prom-client';
import type { TollgateApp } from '../../app.js';
import { collectGarbage } from '../../common/collect-garbage.js';
import { notReadyReason } from '../readiness.js';
import type { PeerDecisions } from './peer-decisions.js';
import { isOurs, type Answer, type Question, type ToPrimary, type ToWorker } from './messages.js';

/**
 * A cluster worker: serves 8181/9191 (the listening sockets are the primary's, shared), answers the
 * primary's admin questions, and drains on the primary's shutdown message, its own SIGTERM/SIGINT, or
 * the primary's death. Resolves with the exit code once drained; rejects if the app cannot start.
 */
export function runWorker(app: TollgateApp, peers: PeerDecisions): Promise<number> {
  // With a callback a closed channel (the primary died) is an ignored error, not an 'error' event that would throw.
  const send = (message: ToPrimary) => process.send?.(message, undefined, undefined, () => undefined);
  // The primary's /metrics asks each worker for this registry (prom-client's cluster messages).
  AggregatorRegistry.setRegistries([app.metrics.registry]);
  new AggregatorRegistry();
  const started = app.start();
  return new Promise((resolve, reject) => {
    let stopping = false;
    // Listening from the start: a primary that gives up while this worker starts must not leave it running.
    const shutdown = (why: string) => {
      if (stopping) return;
      stopping = true;
      app.loggers.app.info('worker shutting down', { pid: process.pid, signal: why });
      started.catch(() => undefined).then(() => app.stop()).then(() => resolve(0), () => resolve(1)).finally(() => process.disconnect?.());
    };
    process.on('message', (message: unknown) => {
      if (!isOurs<ToWorker>(message)) return;
      if (message.tollgate === 'shutdown') shutdown('primary');
      else if (message.tollgate === 'found_decision') peers.found(message.id, message.caller);
      else if (message.tollgate === 'find_decision') {
        send({ tollgate: 'found_decision', id: message.id, caller: app.outcomes.decisions.get(message.decision_id) ?? null });
      } else void answer(app, message.question).then((a) => send({ tollgate: 'answer', id: message.id, answer: a }));
    });
    process.once('disconnect', () => shutdown('primary_gone'));
    // Not once: a Ctrl-C reaches the whole process group, again on a second press, and must not end a drain.
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    started.then((ports) => {
      if (stopping) return;
      // The keys' digest is computed on first use: now, before the GC, rather than inside the first /readyz.
      app.loggers.app.debug('keys digest', { keys_sha256: app.identity.keysSha256 });
      collectGarbage(); // as a single process does after start-up
      app.loggers.app.info('worker listening', { pid: process.pid, http_port: ports.http, grpc_port: ports.grpc });
      send({ tollgate: 'listening', http: ports.http, grpc: ports.grpc });
    }, (err: Error) => {
      if (!stopping) reject(err);
    });
  });
}

async function answer(app: TollgateApp, question: Question): Promise<Answer> {
  const { policies } = app;
  if (question === 'reload_keys') return { pid: process.pid, ...app.identity.reloadKeys() };
  if (question === 'reload_policy') {
    const error = await policies.reload();
    return { pid: process.pid, revision: policies.current()?.revision ?? null, policy_sha256: policies.sha256, ...(error && { error: error.message }) };
  }
  const engine = policies.current();
  const trail = app.loggers.trail;
  const decisions = (await app.metrics.decisions.get()).values.reduce((sum, v) => sum + v.value, 0);
  const reason = notReadyReason(engine, trail);
  return {
    pid: process.pid, ready: reason === null, reason, policy_revision: engine?.revision ?? null,
    policy_sha256: policies.sha256, keys_sha256: app.identity.keysSha256,
    entrypoints: engine?.entrypoints ?? [], required_builtins: engine?.requiredBuiltins ?? [], audit: trail.status(), decisions,
  };
}
