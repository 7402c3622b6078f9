import { status as GrpcStatus, type ServerUnaryCall, type ServerWritableStream, type UntypedServiceImplementation, type sendUnaryData } from '@grpc/grpc-js';

type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
interface HealthCheckRequest { service?: string }
interface HealthCheckResponse { status: ServingStatus }

/** Names a health client may ask about: '' is the whole server. */
const SERVICES = ['', 'envoy.service.auth.v3.Authorization'];

/** How often open Watch streams re-check the status (the policy can be swapped at any time). */
const WATCH_POLL_MS = 1000;

/**
 * grpc.health.v1.Health: SERVING while a policy is loaded and the server is not shutting down,
 * so Envoy's gRPC health checks and Kubernetes grpc probes see the same readiness as /readyz.
 */
export class HealthService {
  private readonly watches = new Set<ServerWritableStream<HealthCheckRequest, HealthCheckResponse>>();
  private stopping = false;

  constructor(private readonly policyLoaded: () => boolean) {}

  readonly implementation: UntypedServiceImplementation = {
    Check: (call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: sendUnaryData<HealthCheckResponse>) => {
      const service = call.request.service ?? '';
      if (!SERVICES.includes(service)) {
        callback({ code: GrpcStatus.NOT_FOUND, details: `unknown service "${service}"` });
        return;
      }
      callback(null, { status: this.status() });
    },
    List: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const statuses = Object.fromEntries(SERVICES.map((s) => [s, { status: this.status() }]));
      callback(null, { statuses });
    },
    Watch: (call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => this.watch(call),
  };

  /** Reports NOT_SERVING from now on and ends open Watch streams, so shutdown is not held open. */
  shutdown(): void {
    this.stopping = true;
    for (const call of this.watches) {
      call.write({ status: 'NOT_SERVING' });
      call.end();
    }
    this.watches.clear();
  }

  private status(): ServingStatus {
    return !this.stopping && this.policyLoaded() ? 'SERVING' : 'NOT_SERVING';
  }

  private watch(call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>): void {
    // An unknown service stays SERVICE_UNKNOWN on an open stream, as the health protocol asks.
    const known = SERVICES.includes(call.request.service ?? '');
    const current = (): ServingStatus => (known ? this.status() : 'SERVICE_UNKNOWN');
    let last = current();
    call.write({ status: last });
    this.watches.add(call);
    const timer = setInterval(() => {
      const now = current();
      if (now !== last) call.write({ status: (last = now) });
    }, WATCH_POLL_MS);
    timer.unref();
    call.on('cancelled', () => {
      clearInterval(timer);
      this.watches.delete(call);
    });
    call.on('finish', () => clearInterval(timer));
  }
}
