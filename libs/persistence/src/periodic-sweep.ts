import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

export interface SweepSchedule {
  /** The logger's context: the sweeping service's name. */
  name: string;
  everyMs: number;
  /** Starts the warning when a sweep fails: `directive expiry`, `outbox pruning failed`. */
  failure: string;
}

/**
 * A sweep of stored rows (expiring, pruning) every `everyMs` while the app
 * runs. Its timer keeps no process alive; a failed sweep is a warning, and the
 * next one tries again. Every replica may run it: a sweep must be idempotent.
 */
export abstract class PeriodicSweep implements OnModuleInit, OnApplicationShutdown {
  protected readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;

  protected constructor(private readonly schedule: SweepSchedule) {
    this.logger = new Logger(schedule.name);
  }

  onModuleInit(): void {
    const { everyMs, failure } = this.schedule;
    this.timer = setInterval(
      () => void this.sweep().catch((e: Error) => this.logger.warn(`${failure}: ${e.message}`)),
      everyMs,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One sweep; the timer's runs go through here. */
  protected abstract sweep(): Promise<unknown>;
}
