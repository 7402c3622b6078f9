import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { TollgateConfig } from './config/schema.js';
import { TollgateError } from './core/errors.js';
import { STANDARD_CREDENTIAL_HEADERS } from './identity/credentials.js';
import { Pipeline } from './core/pipeline.js';
import { DEFAULT_ENDPOINTS } from './core/endpoint-catalogue.js';
import { EndpointMatcher } from './core/endpoints.js';
import { mcpEndpoints } from './core/mcp/mcp-endpoints.js';
import type { EnvoyGrpcServer } from './adapters/envoy-grpc/server.js';
import { httpAdapterRoutes } from './adapters/registry.js';
import { Identity } from './identity/identity.js';
import { DecisionAuditLog } from './observability/audit.js';
import { DecisionLogShipper } from './observability/decision-log-shipper.js';
import { HttpIncidentLog } from './observability/http-incidents.js';
import { createLoggers, type Loggers } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { Outcomes } from './outcomes/outcomes.js';
import type { DecisionsElsewhere } from './outcomes/recorder.js';
import { BundleVerifier } from './policy/bundle-signature.js';
import { createLimits } from './limits/create-limits.js';
import type { Limits } from './limits/limits.js';
import { PolicyStore } from './policy/policy-store.js';
import { ShadowPolicy } from './policy/shadow.js';
import { policySource } from './policy/policy-source.js';
import { defaultBundlePath, packageVersion } from './paths.js';
import { createAdminApp } from './server/admin.js';
import { adminAccess } from './server/admin-access.js';
import { createAuthzServer } from './server/authz-server.js';
import { toolsFilterRoute } from './server/mcp-tools-filter.js';
import { workerCount } from './server/cluster/worker-count.js';
import { sendError } from './server/body.js';

export interface AppOptions {
  /** Where log lines go (tests read them); stdout by default. */
  logStream?: NodeJS.WritableStream;
  now?: () => number;
  /** false in a cluster worker: the primary serves the admin port for all of them. */
  adminPort?: boolean;
  /**
   * true in a cluster worker: the primary watches the key file and the bundle (or polls the bundle
   * server) and tells every worker to reload at once, so workers never enforce different keys or policies.
   */
  reloadsFromPrimary?: boolean;
  /** A cluster worker asks the other workers for decisions an outcome names that it does not remember. */
  decisionsElsewhere?: DecisionsElsewhere;
}

export interface ListeningPorts {
  http: number;
  /** null in a cluster worker (the primary serves it). */
  admin: number | null;
  /** Envoy ext_authz gRPC; null when adapters.envoy_grpc.enabled is false. */
  grpc: number | null;
}

/** The composition root: wires the real implementations into the pipeline and the servers. */
export class TollgateApp {
  readonly loggers: Loggers;
  readonly metrics = new Metrics();
  readonly policies: PolicyStore;
  /** policy.shadow's candidate bundle, evaluated beside the enforced one. */
  readonly shadowPolicies?: PolicyStore;
  /** decision_logs: events for an OPA-compatible collector. */
  readonly decisionLogs?: DecisionLogShipper;
  readonly identity: Identity;
  readonly pipeline: Pipeline;
  readonly outcomes: Outcomes;
  readonly limits: Limits;
  private readonly servers: Server[] = [];
  private envoyGrpc?: EnvoyGrpcServer;
  private readonly adminPort: boolean;
  private readonly reloadsFromPrimary: boolean;

  constructor(readonly config: TollgateConfig, options: AppOptions = {}) {
    this.adminPort = options.adminPort ?? true;
    this.reloadsFromPrimary = options.reloadsFromPrimary ?? false;
    const now = options.now ?? Date.now;
    const { log: logConfig } = config;
    this.loggers = createLoggers({
      level: logConfig.level, auditFile: logConfig.audit_file, stream: options.logStream,
      auditBufferBytes: logConfig.audit_buffer_bytes, auditFailClosed: logConfig.audit_fail_closed, metrics: this.metrics,
    });
    const log = this.loggers.app;
    const verifier = config.policy.signing ? BundleVerifier.fromSettings(config.policy.signing) : undefined;
    const bundleMetrics = this.metrics.bundles;
    this.policies = new PolicyStore({
      ...policySource(config.policy.bundle ?? defaultBundlePath(), config.policy.remote, config.policy),
      entrypoint: config.policy.entrypoint,
      requiredEntrypoints: config.adapters.authzen.enabled ? [config.adapters.authzen.entrypoint] : [],
      maxMemoryPages: config.policy.max_memory_pages,
      now,
      verifier,
      onLoad: (engine) => {
        this.metrics.policyReloads.inc({ result: 'success' });
        bundleMetrics.activated(engine.revision, now());
        log.info('policy loaded', { policy_revision: engine.revision, entrypoints: engine.entrypoints });
      },
      onLoadError: (err, kind) => {
        this.metrics.policyReloads.inc({ result: 'failure' });
        bundleMetrics.failures.inc({ kind });
        log.error('policy reload failed; keeping the last good policy', { error: err.message, code: (err as { code?: string }).code, kind });
      },
      onDownload: () => bundleMetrics.lastDownload.set(now() / 1000),
    });
    const { shadow } = config.policy;
    this.shadowPolicies = shadow ? new PolicyStore({
      ...policySource(shadow.bundle ?? '', shadow.remote, config.policy),
      entrypoint: config.policy.entrypoint,
      maxMemoryPages: config.policy.max_memory_pages,
      now,
      verifier,
      onLoad: (engine) => log.info('shadow policy loaded', { policy_revision: engine.revision }),
      onLoadError: (err, kind) => log.error('shadow policy reload failed; keeping the last good shadow policy', { error: err.message, code: (err as { code?: string }).code, kind }),
    }) : undefined;
    this.decisionLogs = config.decision_logs.url ? new DecisionLogShipper({
      config: config.decision_logs, path: config.policy.entrypoint, version: packageVersion(), registry: this.metrics.registry, log, now,
    }) : undefined;
    this.identity = new Identity({ config: config.identity, keys: config.keys, metrics: this.metrics, log, now });
    this.limits = createLimits(config.limits, config.usage.redis_url, this.metrics, log, workerCount(config));
    this.outcomes = new Outcomes({
      outcomes: config.outcomes, usage: config.usage, audit: this.loggers.audit, log, now,
      settle: (decisionId, tokens) => this.limits.settle(decisionId, tokens, now()),
      usageFallback: config.limits.on_store_failure === 'local_fallback',
      decisionsElsewhere: options.decisionsElsewhere,
      sharedReports: workerCount(config) > 1,
    });
    this.pipeline = new Pipeline({
      authenticators: this.identity.authenticators,
      delegation: this.identity.delegation,
      policy: () => this.policies.current(),
      observers: [new DecisionAuditLog(this.loggers.audit), this.metrics, bundleMetrics, ...this.outcomes.observers, ...(this.decisionLogs ? [this.decisionLogs] : [])],
      shadow: this.shadowPolicies && shadow ? new ShadowPolicy(this.shadowPolicies, shadow.sample) : undefined,
      dryRun: config.policy.mode === 'dry_run',
      recordInput: logConfig.include_input,
      usage: this.outcomes.usage,
      limits: this.limits,
      removeCredentialHeaders: config.upstream.remove_credential_headers,
      gate: this.loggers.trail.gate,
      standardCredentialHeaders: STANDARD_CREDENTIAL_HEADERS,
      subjectIdentity: (subject) => this.identity.subjectIdentity(subject),
      onObserverError: (err) => log.error('a decision observer failed', { error: err instanceof Error ? err.message : String(err) }),
      reading: {
        endpoints: new EndpointMatcher([...DEFAULT_ENDPOINTS, ...config.upstream.endpoints, ...mcpEndpoints(config.mcp.paths)]),
        upstreamReadsFallbacks: config.upstream.body_fallbacks,
      },
      mcpResourceMetadataUrl: config.mcp.resource_metadata_url,
      now,
    });
  }

  /** Loads the policy (a bad bundle throws), then listens on every port; port 0 picks a free one. */
  async start(): Promise<ListeningPorts> {
    const { server } = this.config;
    const adminAccessRules = adminAccess(server.admin_host, server.admin_token_file); // a bad token file stops the start before anything listens
    await this.policies.load();
    // A broken candidate is reported and retried, never a reason not to serve the enforced policy.
    await this.shadowPolicies?.load().catch((err: Error) => this.loggers.app.error('shadow policy could not be loaded', { error: err.message, code: (err as { code?: string }).code }));
    if (this.config.policy.watch) {
      if (!this.reloadsFromPrimary) this.policies.watch();
      // The candidate never changes an answer: each worker may watch it alone.
      this.shadowPolicies?.watch();
    }
    await this.identity.start({ watchKeyFile: !this.reloadsFromPrimary });
    this.decisionLogs?.start();
    const hotRoutes = [...httpAdapterRoutes(this.pipeline, this.config.adapters, server.max_body_bytes), toolsFilterRoute(this.pipeline, server.max_body_bytes)];
    const fallback = express();
    fallback.disable('x-powered-by');
    fallback.use(this.outcomes.router());
    fallback.use((_req, res) => sendError(res, new TollgateError('ERR_NOT_FOUND', 'no such endpoint')));
    const incidents = new HttpIncidentLog(this.loggers.audit, this.metrics);
    const http = await this.listen(createAuthzServer(hotRoutes, fallback, { maxHeaderBytes: server.max_header_bytes, incidents }), server.http_port, server.host);
    const adminApp = this.adminPort ? createAdminApp({
      metrics: this.metrics, policies: this.policies, audit: this.loggers.trail, access: adminAccessRules,
    }) : null;
    const admin = adminApp ? await this.listen(createServer(adminApp), server.admin_port, server.admin_host) : null;
    const grpc = this.config.adapters.envoy_grpc.enabled ? await this.listenEnvoyGrpc() : null;
    const ports = { http, admin, grpc };
    // A cluster's primary logs the ports once, for all its workers.
    if (adminApp) this.loggers.app.info('tollgate listening', { host: server.host, http_port: http, admin_host: server.admin_host, admin_port: admin, grpc_port: grpc });
    return ports;
  }

  /** Stops accepting, lets in-flight requests finish (bounded), flushes logs. */
  async stop(): Promise<void> {
    this.policies.close();
    this.shadowPolicies?.close();
    this.identity.stop();
    await this.envoyGrpc?.close(this.config.server.shutdown_timeout_ms);
    const deadline = setTimeout(() => this.servers.forEach((s) => s.closeAllConnections()), this.config.server.shutdown_timeout_ms);
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeIdleConnections();
    })));
    clearTimeout(deadline);
    await this.outcomes.close();
    await this.decisionLogs?.close();
    await this.limits.close();
    await this.loggers.close();
  }

  private async listenEnvoyGrpc(): Promise<number> {
    const { adapters: { envoy_grpc: cfg }, server } = this.config;
    // Imported only when enabled: proto-loader and protobufjs cost several MiB of heap.
    const { EnvoyGrpcServer } = await import('./adapters/envoy-grpc/server.js');
    this.envoyGrpc = new EnvoyGrpcServer(this.pipeline, {
      host: server.host,
      port: server.grpc_port,
      maxReceiveBytes: cfg.max_receive_bytes,
      keepalive: cfg.keepalive,
      maxConcurrentStreams: cfg.max_concurrent_streams,
      readTimeoutMs: cfg.read_timeout_ms,
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
