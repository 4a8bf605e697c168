import { Metadata, type ClientReadableStream } from '@grpc/grpc-js';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { registry } from '@app/contracts';
import { backoffDelay, clientCredentials, createGrpcClient, pause, serviceTokenSource, type GrpcServiceClient } from '@app/grpc';
import { CaseTracker } from '../cases/case-tracker.service';
import { ADMIN_CONFIG, type AdminConfig } from '../config/admin.config';
import { RegistryLinkRepository } from './registry-link.repository';
import { verdictOf, type RegistryVerdict } from './registry-verdict.mapper';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
/** Changes stored per transaction while catching up; live ones are stored as they come. */
const MAX_CHANGES_PER_BATCH = 1000;
/** A dead peer under the live stream is noticed within about this long. */
const KEEPALIVE_MS = 30_000;

type WatchChanges = (request: registry.WatchChangesRequest, metadata: Metadata) => ClientReadableStream<registry.WatchChangesResponse>;

/**
 * Follows the registry's change feed (WatchChanges) from registry_cursor when
 * REGISTRY_ADDRESS is set: police verdicts (CLEARED, CONFIRMED) are stored with
 * the cursor, then the case tracker runs (a clearance starts a case's clock).
 * Reconnects with backoff whenever the stream ends or fails.
 */
@Injectable()
export class RegistryFollower implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RegistryFollower.name);
  private readonly stopping = new AbortController();
  private client: GrpcServiceClient | undefined;
  private stream: ClientReadableStream<registry.WatchChangesResponse> | undefined;
  private running: Promise<void> | undefined;
  private cursor = 0;

  constructor(
    private readonly repository: RegistryLinkRepository,
    private readonly tracker: CaseTracker,
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
  ) {}

  /** Built at start-up, so a bad TLS or token setting stops the service naming the variable. */
  onModuleInit(): void {
    const address = this.config.registryAddress;
    if (address === undefined) return;
    this.client = createGrpcClient('fraud.registry.v1.RegistryService', 'fraud/registry/v1/registry.proto', address, {
      credentials: clientCredentials(process.env),
      token: serviceTokenSource(
        { subject: `admin-${this.config.province}`, role: `admin:${this.config.province}` },
        { variable: 'REGISTRY_TOKEN_FILE', file: this.config.registryTokenFile },
        process.env,
      ),
      channelOptions: {
        'grpc.initial_reconnect_backoff_ms': 1000,
        'grpc.max_reconnect_backoff_ms': MAX_RETRY_MS,
        'grpc.keepalive_time_ms': KEEPALIVE_MS,
        'grpc.keepalive_timeout_ms': 10_000,
      },
    });
  }

  onApplicationBootstrap(): void {
    if (this.client) this.running = this.run(this.client);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    this.stream?.cancel();
    await this.running;
    this.client?.close();
  }

  private async run(client: GrpcServiceClient): Promise<void> {
    let failures = 0;
    let outage: number | undefined;
    while (!this.stopping.signal.aborted) {
      let reason: string;
      try {
        this.cursor = await this.repository.cursor();
        await this.follow(client, () => {
          if (outage !== undefined) this.logger.log(`registry change feed back after ${Math.round((Date.now() - outage) / 1000)} s, at version ${this.cursor}`);
          outage = undefined;
          failures = 0;
        });
        reason = 'the stream ended (registry shutting down)';
      } catch (error) {
        reason = (error as Error).message;
      }
      if (this.stopping.signal.aborted) return;
      failures++;
      // Once per outage, not once per retry.
      if (outage === undefined) {
        outage = Date.now();
        this.logger.warn(`registry change feed unavailable at version ${this.cursor}: ${reason}; reconnecting with backoff`);
      }
      await pause(backoffDelay(failures, FIRST_RETRY_MS, MAX_RETRY_MS), this.stopping.signal);
    }
  }

  /** Reads the feed until it ends or fails; `onAlive` at every change received. */
  private async follow(client: GrpcServiceClient, onAlive: () => void): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const stream = (client.watchChanges as WatchChanges).call(client, { sinceVersion: this.cursor }, new Metadata());
    this.stream = stream;
    let verdicts: RegistryVerdict[] = [];
    let last = this.cursor;
    let unstored = 0;
    try {
      for await (const message of stream as AsyncIterable<registry.WatchChangesResponse>) {
        if (!message.change) continue;
        onAlive();
        const verdict = verdictOf(message.change);
        if (verdict) verdicts.push(verdict);
        last = Number(message.change.version);
        unstored++;
        // Verdicts are stored as soon as the feed is caught up; the cursor alone only now and then (re-reading flags is harmless).
        if (unstored >= MAX_CHANGES_PER_BATCH || (verdicts.length > 0 && stream.readableLength === 0)) {
          await this.repository.store(verdicts, last);
          this.cursor = last;
          if (verdicts.length > 0) void this.tracker.catchUp().catch((error: Error) => this.logger.warn(`case tracking after registry verdicts failed: ${error.message}`));
          verdicts = [];
          unstored = 0;
        }
      }
    } finally {
      this.stream = undefined;
      stream.cancel();
    }
  }
}
