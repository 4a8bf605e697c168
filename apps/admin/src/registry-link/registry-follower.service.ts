import { Metadata, type ClientReadableStream } from '@grpc/grpc-js';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { registry } from '@app/contracts';
import { clientCredentials, createGrpcClient, FeedFollower, serviceTokenSource, type FeedConsumer, type GrpcServiceClient } from '@app/grpc';
import { CaseTracker } from '../cases/case-tracker.service';
import { ADMIN_CONFIG, type AdminConfig } from '../config/admin.config';
import { RegistryLinkRepository } from './registry-link.repository';
import { verdictOf, type RegistryVerdict } from './registry-verdict.mapper';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
/** A dead peer under the live stream is noticed within about this long. */
const KEEPALIVE_MS = 30_000;

type WatchChanges = (request: registry.WatchChangesRequest, metadata: Metadata) => ClientReadableStream<registry.WatchChangesResponse>;

/**
 * Follows the registry's change feed (WatchChanges) from registry_cursor when
 * REGISTRY_ADDRESS is set: police verdicts (CLEARED, CONFIRMED) are stored with
 * the cursor, then the case tracker runs (a clearance starts a case's clock).
 */
@Injectable()
export class RegistryFollower implements FeedConsumer<registry.StatusChange>, OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RegistryFollower.name);
  private client: GrpcServiceClient | undefined;
  private follower: FeedFollower<registry.StatusChange> | undefined;

  constructor(
    private readonly repository: RegistryLinkRepository,
    private readonly tracker: CaseTracker,
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
  ) {}

  /** Built at start-up, so a bad TLS or token setting stops the service naming the variable. */
  onModuleInit(): void {
    const address = this.config.registryAddress;
    if (address === undefined) return;
    const client = createGrpcClient('fraud.registry.v1.RegistryService', 'fraud/registry/v1/registry.proto', address, {
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
    this.client = client;
    this.follower = new FeedFollower({
      watch: (since) => (client.watchChanges as WatchChanges).call(client, { sinceVersion: since }, new Metadata()),
      versionOf: (change) => Number(change.version),
      consumer: this,
      logger: this.logger,
      firstRetryMs: FIRST_RETRY_MS,
      maxRetryMs: MAX_RETRY_MS,
    });
  }

  onApplicationBootstrap(): void {
    this.follower?.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.follower?.stop();
    this.client?.close();
  }

  cursor(): Promise<number> {
    return this.repository.cursor();
  }

  /** Police verdicts and the cursor in one transaction; a clearance then moves the case clocks. */
  async apply(changes: registry.StatusChange[]): Promise<void> {
    const verdicts = changes.map(verdictOf).filter((v): v is RegistryVerdict => v !== undefined);
    await this.repository.store(verdicts, Number(changes[changes.length - 1].version));
    if (verdicts.length > 0) void this.tracker.catchUp().catch((error: Error) => this.logger.warn(`case tracking after registry verdicts failed: ${error.message}`));
  }
}
