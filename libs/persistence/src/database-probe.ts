import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { envInt, type Env } from '@app/config';
import type { ServiceHealth } from '@app/observability';

export const DATABASE_DEPENDENCY = 'database';
export const DEFAULT_HEALTH_INTERVAL_MS = 5_000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 2_000;

export interface ProbeSettings {
  intervalMs: number;
  timeoutMs: number;
}

/** `DATABASE_HEALTH_INTERVAL_MS` (how often), `DATABASE_HEALTH_TIMEOUT_MS` (how long one probe may take). */
export function probeSettings(env: Env): ProbeSettings {
  return {
    intervalMs: envInt(env, 'DATABASE_HEALTH_INTERVAL_MS', DEFAULT_HEALTH_INTERVAL_MS, 100, 600_000),
    timeoutMs: envInt(env, 'DATABASE_HEALTH_TIMEOUT_MS', DEFAULT_HEALTH_TIMEOUT_MS, 100, 60_000),
  };
}

/**
 * A cheap, periodic check that the service's database answers: `SELECT 1` on a
 * connection of its own (as the application role, so a full pool or a slow
 * query does not count as the database being down), with a short timeout.
 * Reports the `database` dependency, critical: while it fails the service says
 * NOT_SERVING.
 */
export class DatabaseProbe implements OnApplicationBootstrap, OnApplicationShutdown {
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly health: ServiceHealth,
    private readonly settings: ProbeSettings,
    private readonly applicationName: string,
  ) {
    // It was reachable a moment ago: the service migrated and connected on it.
    health.declare(DATABASE_DEPENDENCY, { critical: true, state: 'up', detail: 'connected at start-up' });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.probing ??= this.probe().finally(() => (this.probing = undefined));
    }, this.settings.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.probing;
    this.drop();
  }

  /** One probe; reports its outcome. */
  async probe(): Promise<void> {
    const started = Date.now();
    try {
      const client = await this.connected();
      await client.query('SELECT 1');
      if (!this.stopped) this.health.report(DATABASE_DEPENDENCY, true, `answered in ${Date.now() - started} ms`);
    } catch (error) {
      this.drop();
      if (!this.stopped) this.health.report(DATABASE_DEPENDENCY, false, `no answer: ${(error as Error).message}`);
    }
  }

  private async connected(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({
      connectionString: this.url,
      connectionTimeoutMillis: this.settings.timeoutMs,
      query_timeout: this.settings.timeoutMs,
      application_name: this.applicationName,
    });
    // A connection lost while idle is noticed here and replaced at the next probe.
    client.on('error', () => {
      if (this.client === client) this.drop();
    });
    try {
      await client.connect();
    } catch (error) {
      void client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => undefined);
  }
}
