import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { clientCredentials, createGrpcClient, serviceTokenSource, type CarrierId, type GrpcServiceClient, type TokenFileSetting } from '@app/grpc';

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
  carrierId: CarrierId;
  tokenFile: TokenFileSetting;
  /** The longest pause between grpc-js reconnects while the peer is unreachable. */
  retryMaxMs: number;
}

/**
 * The carrier's one channel to another of our services (the registry, the
 * administration): TLS from `clientCredentials`, a `carrier:<ID>` token on every
 * call, reconnects no slower than `retryMaxMs`. Built at start-up, so a bad TLS
 * or token setting stops the carrier with the variable's name.
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
      token: serviceTokenSource({ subject: `carrier-${this.spec.carrierId.toLowerCase()}`, role: `carrier:${this.spec.carrierId}` }, this.spec.tokenFile, process.env),
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
