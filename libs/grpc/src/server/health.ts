import type { Server } from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { DependencyState, ServiceHealth } from '@app/observability';

/** The health entry of a dependency: `dependency/database`, `dependency/registry`, `dependency/admin`. */
export function dependencyEntry(name: string): string {
  return `dependency/${name}`;
}

/** GET /health: the server's status and each dependency's, with what operators need to know. */
export interface HealthReport {
  service: string;
  status: 'SERVING' | 'NOT_SERVING';
  dependencies: Record<string, { status: ServingStatus; critical: boolean; detail: string; since: string }>;
}

const DEPENDENCY_STATUS: Record<DependencyState, ServingStatus> = {
  up: 'SERVING',
  down: 'NOT_SERVING',
  unknown: 'UNKNOWN',
};

/**
 * The standard `grpc.health.v1.Health` service of one server, for load balancers,
 * compose health checks and `grpc-health-probe`. It answers for the whole server
 * (service '') and for each named service: NOT_SERVING until the server listens,
 * SERVING then while every critical dependency (the database) is reachable, and
 * NOT_SERVING for good once draining at shutdown. Each dependency it follows has
 * an entry of its own, `dependency/<name>`: SERVING, NOT_SERVING, or UNKNOWN
 * before it was first seen; a non-critical one (a carrier's registry) being down
 * leaves the server SERVING.
 */
export class GrpcHealth {
  private readonly implementation: HealthImplementation;
  private server: Server | null = null;
  private started = false;
  private draining = false;
  private dependencies: ServiceHealth | undefined;
  private unfollow: (() => void) | undefined;

  constructor(readonly services: readonly string[]) {
    this.implementation = new HealthImplementation(
      Object.fromEntries(['', ...services].map((s) => [s, 'NOT_SERVING' as const])),
    );
  }

  /** Registers the Health service on the gRPC server (done by grpcMicroserviceOptions). */
  attach(server: Server): void {
    this.implementation.addToServer(server);
    this.server = server;
  }

  get serving(): boolean {
    return this.status === 'SERVING';
  }

  /** The server's own status: '' and every named service. */
  get status(): 'SERVING' | 'NOT_SERVING' {
    return this.started && !this.draining && (this.dependencies?.criticalUp ?? true) ? 'SERVING' : 'NOT_SERVING';
  }

  /** Once listening: SERVING, as long as the critical dependencies allow. */
  setServing(): void {
    this.started = true;
    this.refresh();
  }

  /** NOT_SERVING until setServing again. */
  setNotServing(): void {
    this.started = false;
    this.refresh();
  }

  /** Follows the app's dependencies from now on (the bootstrap does it when the app has a ServiceHealth). */
  follow(dependencies: ServiceHealth): void {
    this.unfollow?.();
    this.dependencies = dependencies;
    this.unfollow = dependencies.onChange(() => this.refresh());
    this.refresh();
  }

  /** One service's status, e.g. NOT_SERVING while its in-memory index reloads. */
  setStatus(service: string, status: ServingStatus): void {
    this.implementation.setStatus(service, status);
  }

  report(service: string): HealthReport {
    const status = this.status;
    const dependencies: HealthReport['dependencies'] = {};
    for (const d of this.dependencies?.list() ?? []) {
      dependencies[d.name] = {
        status: this.draining ? 'NOT_SERVING' : DEPENDENCY_STATUS[d.state],
        critical: d.critical,
        detail: d.detail,
        since: d.since.toISOString(),
      };
    }
    return { service, status, dependencies };
  }

  /**
   * Reports NOT_SERVING (never SERVING again), lets in-flight calls finish for
   * up to `graceMs`, then cancels what is left (long-lived streams such as
   * WatchChanges never end alone).
   */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    this.unfollow?.();
    this.refresh();
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

  private refresh(): void {
    const status = this.status;
    for (const service of ['', ...this.services]) this.implementation.setStatus(service, status);
    for (const d of this.dependencies?.list() ?? []) {
      this.implementation.setStatus(
        dependencyEntry(d.name),
        this.draining ? 'NOT_SERVING' : DEPENDENCY_STATUS[d.state],
      );
    }
  }
}
