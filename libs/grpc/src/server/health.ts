import type { Server } from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

/**
 * The standard `grpc.health.v1.Health` service of one server, for load balancers,
 * compose health checks and `grpc-health-probe`. It answers for the whole server
 * (service '') and for each named service; everything starts NOT_SERVING and is
 * flipped to SERVING once the server listens, back at shutdown.
 */
export class GrpcHealth {
  private readonly implementation: HealthImplementation;
  private server: Server | null = null;
  private status: ServingStatus = 'NOT_SERVING';

  constructor(readonly services: readonly string[]) {
    this.implementation = new HealthImplementation(Object.fromEntries(['', ...services].map((s) => [s, 'NOT_SERVING' as const])));
  }

  /** Registers the Health service on the gRPC server (done by grpcMicroserviceOptions). */
  attach(server: Server): void {
    this.implementation.addToServer(server);
    this.server = server;
  }

  get serving(): boolean {
    return this.status === 'SERVING';
  }

  setServing(): void {
    this.setAll('SERVING');
  }

  setNotServing(): void {
    this.setAll('NOT_SERVING');
  }

  /** One service's status, e.g. NOT_SERVING while its in-memory index reloads. */
  setStatus(service: string, status: ServingStatus): void {
    this.implementation.setStatus(service, status);
  }

  /**
   * Reports NOT_SERVING, lets in-flight calls finish for up to `graceMs`, then
   * cancels what is left (long-lived streams such as WatchChanges never end alone).
   */
  async drain(graceMs: number): Promise<void> {
    this.setNotServing();
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private setAll(status: ServingStatus): void {
    this.status = status;
    for (const service of ['', ...this.services]) this.implementation.setStatus(service, status);
  }
}
