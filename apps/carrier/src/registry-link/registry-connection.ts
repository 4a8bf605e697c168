import { Metadata, type ClientReadableStream } from '@grpc/grpc-js';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { registry } from '@app/contracts';
import { clientCredentials, createGrpcClient, unary, type GrpcServiceClient } from '@app/grpc';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { registryTokenSource } from './registry-token';

/** A dead peer under a live stream is noticed within about this long. */
const KEEPALIVE_MS = 30_000;

/**
 * The carrier's one channel to the registry (`REGISTRY_ADDRESS`), shared by the
 * outbox relay and the change-feed follower: TLS from `clientCredentials`, a
 * `carrier:<ID>` token on every call. Without REGISTRY_ADDRESS there is no
 * channel and neither runs.
 */
@Injectable()
export class RegistryConnection implements OnModuleInit, OnApplicationShutdown {
  private client: GrpcServiceClient | undefined;

  constructor(@Inject(CARRIER_CONFIG) private readonly config: CarrierConfig) {}

  get enabled(): boolean {
    return this.config.registryAddress !== undefined;
  }

  /** Built at start-up, so a bad TLS or token setting stops the carrier with the variable's name. */
  onModuleInit(): void {
    const address = this.config.registryAddress;
    if (address === undefined) return;
    this.client = createGrpcClient('fraud.registry.v1.RegistryService', 'fraud/registry/v1/registry.proto', address, {
      credentials: clientCredentials(process.env),
      token: registryTokenSource(this.config.carrierId, this.config.registryTokenFile, process.env),
      channelOptions: {
        // grpc-js would otherwise wait up to 2 minutes between reconnects after a long outage.
        'grpc.initial_reconnect_backoff_ms': Math.min(1000, this.config.registryRetryMaxMs),
        'grpc.max_reconnect_backoff_ms': this.config.registryRetryMaxMs,
        'grpc.keepalive_time_ms': KEEPALIVE_MS,
        'grpc.keepalive_timeout_ms': 10_000,
      },
    });
  }

  onApplicationShutdown(): void {
    this.client?.close();
  }

  submitFlags(flags: registry.Flag[], deadlineMs: number): Promise<registry.SubmitFlagsResponse> {
    return unary(this.channel(), 'submitFlags', { flags } satisfies registry.SubmitFlagsRequest, new Metadata(), { deadline: Date.now() + deadlineMs });
  }

  /** Every status change after `sinceVersion`, then live; the caller cancels it. */
  watchChanges(sinceVersion: number): ClientReadableStream<registry.WatchChangesResponse> {
    const client = this.channel() as unknown as {
      watchChanges(request: registry.WatchChangesRequest, metadata: Metadata): ClientReadableStream<registry.WatchChangesResponse>;
    };
    return client.watchChanges({ sinceVersion }, new Metadata());
  }

  private channel(): GrpcServiceClient {
    if (!this.client) throw new Error('REGISTRY_ADDRESS is not set: the registry is not called');
    return this.client;
  }
}
