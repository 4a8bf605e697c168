import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { admin } from '@app/contracts';
import { backoffDelay, pause, tokenExpiredOn } from '@app/grpc';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { AdminConnection, type DirectiveStreamCall } from './admin-connection';
import { DirectiveApplier } from './directive-applier.service';

/** The first reconnect waits this long; later ones double up to ADMIN_RETRY_MAX_MS. */
const FIRST_RETRY_MS = 250;

/**
 * Keeps StreamDirectives open while ADMIN_ADDRESS is set: each directive is
 * applied, in the order received, and acknowledged on the same stream with its
 * outcome. When the stream ends or fails it reopens with backoff, logging once
 * per outage; the administration sends every unacknowledged directive again on
 * the new stream, so a directive whose ack was lost is answered from the log.
 */
@Injectable()
export class DirectiveStream implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DirectiveStream.name);
  private readonly stopping = new AbortController();
  private call: DirectiveStreamCall | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly connection: AdminConnection,
    private readonly applier: DirectiveApplier,
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
  ) {}

  /** After every module's init: the engine and the stored cell list are loaded before the first directive. */
  onApplicationBootstrap(): void {
    if (this.connection.enabled) this.running = this.run();
  }

  /** Stops reading; a directive being applied finishes (and is acknowledged on the next stream if its ack is lost). */
  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    this.call?.cancel();
    await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    let outage: { since: number } | undefined;
    const live = () => {
      if (outage) this.logger.log(`directive stream back after ${Math.round((Date.now() - outage.since) / 1000)} s`);
      outage = undefined;
      failures = 0;
    };
    while (!this.stopping.signal.aborted) {
      let reason: string;
      const opened = Date.now();
      try {
        await this.follow(live);
        reason = 'the stream ended (administration shutting down)';
      } catch (error) {
        if (tokenExpiredOn(error, Date.now() - opened)) {
          this.logger.log('directive stream: the token it was opened with expired; reopening with a renewed one');
          continue;
        }
        reason = (error as Error).message;
      }
      if (this.stopping.signal.aborted) return;
      failures++;
      // Once per outage, not once per retry.
      if (!outage) {
        outage = { since: Date.now() };
        this.logger.warn(
          `directive stream unavailable: ${reason}; ` +
            `reconnecting with backoff (at most ${this.config.adminRetryMaxMs} ms apart)`,
        );
      }
      await pause(backoffDelay(failures, FIRST_RETRY_MS, this.config.adminRetryMaxMs), this.stopping.signal);
    }
  }

  /** Reads the stream until it ends or fails; `live` once the administration answered. */
  private async follow(live: () => void): Promise<void> {
    const call = this.connection.streamDirectives();
    this.call = call;
    // Headers mean the administration took the stream, even before any directive comes.
    call.once('metadata', live);
    try {
      for await (const message of call as AsyncIterable<admin.StreamDirectivesResponse>) {
        live();
        if (!message.directive) continue;
        call.write({ ack: await this.applier.apply(message.directive) } satisfies admin.StreamDirectivesRequest);
      }
    } finally {
      this.call = undefined;
      call.cancel();
    }
  }
}
