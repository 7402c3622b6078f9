import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { TollgateConfig } from './config/schema.js';
import { TollgateError } from './core/errors.js';
import { STANDARD_CREDENTIAL_HEADERS } from './identity/credentials.js';
import { Pipeline } from './core/pipeline.js';
import { DEFAULT_ENDPOINTS } from './core/endpoint-catalogue.js';
import { EndpointMatcher } from './core/endpoints.js';
import { EnvoyGrpcServer } from './adapters/envoy-grpc/server.js';
import { httpAdapterRoutes } from './adapters/registry.js';
import { Identity } from './identity/identity.js';
import { DecisionAuditLog } from './observability/audit.js';
import { HttpIncidentLog } from './observability/http-incidents.js';
import { createLoggers, type Loggers } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { Outcomes } from './outcomes/outcomes.js';
import { createLimits } from './limits/create-limits.js';
import type { Limits } from './limits/limits.js';
import { PolicyStore } from './policy/policy-store.js';
import { defaultBundlePath } from './paths.js';
import { createAdminApp } from './server/admin.js';
import { adminAccess } from './server/admin-access.js';
import { createAuthzServer } from './server/authz-server.js';
import { sendError } from './server/body.js';

export interface AppOptions {
  /** Where log lines go (tests read them); stdout by default. */
  logStream?: NodeJS.WritableStream;
  now?: () => number;
}

export interface ListeningPorts {
  http: number;
  admin: number;
  /** Envoy ext_authz gRPC; null when adapters.envoy_grpc.enabled is false. */
  grpc: number | null;
}

/** The composition root: wires the real implementations into the pipeline and the servers. */
export class TollgateApp {
  readonly loggers: Loggers;
  readonly metrics = new Metrics();
  readonly policies: PolicyStore;
  readonly identity: Identity;
  readonly pipeline: Pipeline;
  readonly outcomes: Outcomes;
  readonly limits: Limits;
  private readonly servers: Server[] = [];
  private envoyGrpc?: EnvoyGrpcServer;

  constructor(readonly config: TollgateConfig, options: AppOptions = {}) {
    const now = options.now ?? Date.now;
    const { log: logConfig } = config;
    this.loggers = createLoggers({
      level: logConfig.level, auditFile: logConfig.audit_file, stream: options.logStream,
      auditBufferBytes: logConfig.audit_buffer_bytes, auditFailClosed: logConfig.audit_fail_closed, metrics: this.metrics,
    });
    const log = this.loggers.app;
    this.policies = new PolicyStore({
      bundlePath: config.policy.bundle ?? defaultBundlePath(),
      entrypoint: config.policy.entrypoint,
      maxMemoryPages: config.policy.max_memory_pages,
      pollIntervalMs: config.policy.poll_interval_ms,
      now,
      onLoad: (engine) => {
        this.metrics.policyReloads.inc({ result: 'success' });
        log.info('policy loaded', { policy_revision: engine.revision, entrypoints: engine.entrypoints });
      },
      onLoadError: (err) => {
        this.metrics.policyReloads.inc({ result: 'failure' });
        log.error('policy reload failed; keeping the last good policy', { error: err.message, code: (err as { code?: string }).code });
      },
    });
    this.identity = new Identity({ config: config.identity, keys: config.keys, metrics: this.metrics, log, now });
    this.limits = createLimits(config.limits, config.usage.redis_url, this.metrics, log);
    this.outcomes = new Outcomes({
      outcomes: config.outcomes, usage: config.usage, audit: this.loggers.audit, log, now,
      settle: (decisionId, tokens) => this.limits.settle(decisionId, tokens, now()),
      usageFallback: config.limits.on_store_failure === 'local_fallback',
    });
    this.pipeline = new Pipeline({
      authenticators: this.identity.authenticators,
      delegation: this.identity.delegation,
      policy: () => this.policies.current(),
      observers: [new DecisionAuditLog(this.loggers.audit), this.metrics, this.outcomes.decisions],
      usage: this.outcomes.usage,
      limits: this.limits,
      removeCredentialHeaders: config.upstream.remove_credential_headers,
      gate: this.loggers.trail.gate,
      standardCredentialHeaders: STANDARD_CREDENTIAL_HEADERS,
      onObserverError: (err) => log.error('a decision observer failed', { error: err instanceof Error ? err.message : String(err) }),
      reading: {
        endpoints: new EndpointMatcher([...DEFAULT_ENDPOINTS, ...config.upstream.endpoints]),
        upstreamReadsFallbacks: config.upstream.body_fallbacks,
      },
      now,
    });
  }

  /** Loads the policy (a bad bundle throws), then listens on every port; port 0 picks a free one. */
  async start(): Promise<ListeningPorts> {
    const { server } = this.config;
    const adminAccessRules = adminAccess(server.admin_host, server.admin_token_file); // a bad token file stops the start before anything listens
    await this.policies.load();
    if (this.config.policy.watch) this.policies.watch();
    await this.identity.start();
    const hotRoutes = httpAdapterRoutes(this.pipeline, this.config.adapters, server.max_body_bytes);
    const fallback = express();
    fallback.disable('x-powered-by');
    fallback.use(this.outcomes.router());
    fallback.use((_req, res) => sendError(res, new TollgateError('ERR_NOT_FOUND', 'no such endpoint')));
    const incidents = new HttpIncidentLog(this.loggers.audit, this.metrics);
    const http = await this.listen(createAuthzServer(hotRoutes, fallback, { maxHeaderBytes: server.max_header_bytes, incidents }), server.http_port, server.host);
    const adminApp = createAdminApp({
      metrics: this.metrics, policies: this.policies, audit: this.loggers.trail, access: adminAccessRules,
    });
    const admin = await this.listen(createServer(adminApp), server.admin_port, server.admin_host);
    const grpc = this.config.adapters.envoy_grpc.enabled ? await this.listenEnvoyGrpc() : null;
    const ports = { http, admin, grpc };
    this.loggers.app.info('tollgate listening', { host: server.host, http_port: http, admin_host: server.admin_host, admin_port: admin, grpc_port: grpc });
    return ports;
  }

  /** Stops accepting, lets in-flight requests finish (bounded), flushes logs. */
  async stop(): Promise<void> {
    this.policies.close();
    this.identity.stop();
    await this.envoyGrpc?.close(this.config.server.shutdown_timeout_ms);
    const deadline = setTimeout(() => this.servers.forEach((s) => s.closeAllConnections()), this.config.server.shutdown_timeout_ms);
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeIdleConnections();
    })));
    clearTimeout(deadline);
    await this.outcomes.close();
    await this.limits.close();
    await this.loggers.close();
  }

  private listenEnvoyGrpc(): Promise<number> {
    const { adapters: { envoy_grpc: cfg }, server } = this.config;
    this.envoyGrpc = new EnvoyGrpcServer(this.pipeline, {
      host: server.host,
      port: server.grpc_port,
      maxReceiveBytes: cfg.max_receive_bytes,
      keepalive: cfg.keepalive,
      policyLoaded: () => this.policies.current()?.ready === true,
      log: this.loggers.app,
    });
    return this.envoyGrpc.listen();
  }

  private listen(server: Server, port: number, host: string): Promise<number> {
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  }
}
