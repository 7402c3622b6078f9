import type { GrpcCall } from './grpc-call.js';
import { GrpcStatus } from './wire.js';

type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
export interface HealthCheckRequest { service?: string }

/** Names a health client may ask about: '' is the whole server. */
const SERVICES = ['', 'envoy.service.auth.v3.Authorization'];

/** How often open Watch streams re-check the status (the policy can be swapped at any time). */
const WATCH_POLL_MS = 1000;

/**
 * grpc.health.v1.Health: SERVING while a policy is loaded and the server is not shutting down,
 * so Envoy's gRPC health checks and Kubernetes grpc probes see the same readiness as /readyz.
 */
export class HealthService {
  private readonly watches = new Map<GrpcCall, NodeJS.Timeout>();
  private stopping = false;

  constructor(private readonly policyLoaded: () => boolean) {}

  check(call: GrpcCall, request: HealthCheckRequest): void {
    const service = request.service ?? '';
    if (!SERVICES.includes(service)) call.fail(GrpcStatus.NOT_FOUND, `unknown service "${service}"`);
    else call.reply({ status: this.status() });
  }

  list(call: GrpcCall): void {
    call.reply({ statuses: Object.fromEntries(SERVICES.map((s) => [s, { status: this.status() }])) });
  }

  watch(call: GrpcCall, request: HealthCheckRequest): void {
    // An unknown service stays SERVICE_UNKNOWN on an open stream, as the health protocol asks.
    const known = SERVICES.includes(request.service ?? '');
    const current = (): ServingStatus => (known ? this.status() : 'SERVICE_UNKNOWN');
    let last = current();
    call.write({ status: last });
    const timer = setInterval(() => {
      const now = current();
      if (now !== last) call.write({ status: (last = now) });
    }, WATCH_POLL_MS);
    timer.unref();
    this.watches.set(call, timer);
    call.onClose(() => {
      clearInterval(timer);
      this.watches.delete(call);
    });
  }

  /** Reports NOT_SERVING from now on and ends open Watch streams, so shutdown is not held open. */
  shutdown(): void {
    this.stopping = true;
    for (const [call, timer] of this.watches) {
      clearInterval(timer);
      call.write({ status: 'NOT_SERVING' });
      call.end();
    }
    this.watches.clear();
  }

  private status(): ServingStatus {
    return !this.stopping && this.policyLoaded() ? 'SERVING' : 'NOT_SERVING';
  }
}
