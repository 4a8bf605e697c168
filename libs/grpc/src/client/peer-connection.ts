import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { clientCredentials } from './client-credentials';
import { createGrpcClient, type GrpcServiceClient } from './grpc-client';
import { serviceTokenSource, type ServiceIdentity, type TokenFileSetting } from './service-token';

/** A dead peer under a live stream is noticed within about this long. */
const KEEPALIVE_MS = 30_000;

/** Which service a PeerConnection calls, and how. */
export interface PeerSpec {
  /** Fully-qualified gRPC service, and its proto file under PROTO_ROOT. */
  service: string;
  protoFile: string;
  /** `host:port`; undefined: the peer is not called at all. */
  address: string | undefined;
  /** The variable that sets the address, for the error when a call is made without one. */
  addressVariable: string;
  /** Who calls: e.g. `carrier-ctcc` as `carrier:CTCC`. */
  identity: ServiceIdentity;
  tokenFile: TokenFileSetting;
  /** The longest pause between grpc-js reconnects while the peer is unreachable. */
  retryMaxMs: number;
}

/**
 * A service's one channel to another of our services (a carrier's to the
 * registry or the administration, the administration's to the registry): TLS
 * from `clientCredentials`, the caller's service token on every call, reconnects
 * no slower than `retryMaxMs`. Built at start-up, so a bad TLS or token setting
 * stops the service with the variable's name.
 */
export abstract class PeerConnection implements OnModuleInit, OnApplicationShutdown {
  private client: GrpcServiceClient | undefined;

  protected constructor(private readonly spec: PeerSpec) {}

  get enabled(): boolean {
    return this.spec.address !== undefined;
  }

  onModuleInit(): void {
    const { address, retryMaxMs } = this.spec;
    if (address === undefined) return;
    this.client = createGrpcClient(this.spec.service, this.spec.protoFile, address, {
      credentials: clientCredentials(process.env),
      token: serviceTokenSource(this.spec.identity, this.spec.tokenFile, process.env),
      channelOptions: {
        // grpc-js would otherwise wait up to 2 minutes between reconnects after a long outage.
        'grpc.initial_reconnect_backoff_ms': Math.min(1000, retryMaxMs),
        'grpc.max_reconnect_backoff_ms': retryMaxMs,
        'grpc.keepalive_time_ms': KEEPALIVE_MS,
        'grpc.keepalive_timeout_ms': 10_000,
      },
    });
  }

  onApplicationShutdown(): void {
    this.client?.close();
  }

  protected channel(): GrpcServiceClient {
    if (!this.client) throw new Error(`${this.spec.addressVariable} is not set: ${this.spec.service} is not called`);
    return this.client;
  }
}
