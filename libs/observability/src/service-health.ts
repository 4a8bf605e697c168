import { Logger } from '@nestjs/common';
import type { Metrics } from './metrics';

/** `unknown` until first seen (a peer not connected yet). */
export type DependencyState = 'up' | 'down' | 'unknown';

export interface DependencyStatus {
  /** `database`, `registry`, `admin`. */
  name: string;
  state: DependencyState;
  /** For operators, e.g. `connected to 127.0.0.1:50051`, `cannot connect to …: connect ECONNREFUSED`. */
  detail: string;
  /** When it entered this state. */
  since: Date;
  /**
   * Critical: the service cannot serve without it (its database);
   * otherwise it is degraded but serves (a carrier without the registry).
   */
  critical: boolean;
}

/**
 * What a service depends on and whether each is reachable now, reported by
 * whoever knows (the database probe, a peer's channel) and read by whoever
 * tells operators (grpc.health.v1, GET /health, the `fraud_dependency_up`
 * gauge). A plain object without gRPC or database code, so both sides meet
 * here without knowing each other.
 */
export class ServiceHealth {
  private readonly logger = new Logger('Health');
  private readonly dependencies = new Map<string, DependencyStatus>();
  private readonly listeners = new Set<() => void>();

  constructor(metrics?: Metrics) {
    const dependencies = this.dependencies;
    metrics?.gauge({
      name: 'fraud_dependency_up',
      help:
        'Whether a dependency is reachable now: 1 up, 0 down or not seen yet ' +
        '(database: the service is NOT_SERVING while 0; registry, admin: degraded, it serves on).',
      labelNames: ['dependency', 'critical'],
      collect() {
        this.reset();
        for (const d of dependencies.values())
          this.set({ dependency: d.name, critical: String(d.critical) }, d.state === 'up' ? 1 : 0);
      },
    });
  }

  /** Starts tracking `name`; its state is `unknown` (or as given) until reported. */
  declare(name: string, options: { critical: boolean; state?: DependencyState; detail?: string }): void {
    if (this.dependencies.has(name)) return;
    this.dependencies.set(name, {
      name,
      state: options.state ?? 'unknown',
      detail: options.detail ?? 'not checked yet',
      since: new Date(),
      critical: options.critical,
    });
    this.changed();
  }

  /** A new observation; a change of state is logged once and told to the listeners. */
  report(name: string, up: boolean, detail: string): void {
    const current = this.dependencies.get(name);
    if (!current) throw new Error(`dependency ${name} was not declared`);
    const state: DependencyState = up ? 'up' : 'down';
    if (current.state === state) {
      current.detail = detail;
      return;
    }
    const now = new Date();
    if (state === 'down') {
      this.logger.warn({ msg: `${name} unreachable`, dependency: name, detail, critical: current.critical });
    } else if (current.state === 'down') {
      this.logger.log({
        msg: `${name} reachable again`,
        dependency: name,
        detail,
        down_seconds: Math.round((now.getTime() - current.since.getTime()) / 1000),
      });
    }
    this.dependencies.set(name, { ...current, state, detail, since: now });
    this.changed();
  }

  /** Whether every critical dependency is up (or not seen yet). */
  get criticalUp(): boolean {
    return [...this.dependencies.values()].every((d) => !d.critical || d.state !== 'down');
  }

  get(name: string): DependencyStatus | undefined {
    const status = this.dependencies.get(name);
    return status && { ...status };
  }

  list(): DependencyStatus[] {
    return [...this.dependencies.values()].map((d) => ({ ...d }));
  }

  /** Calls `listener` after each change; returns how to stop. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
