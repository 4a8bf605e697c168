import type { EventEmitter } from 'node:events';
import { connectivityState, status as GrpcStatus } from '@grpc/grpc-js';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Env } from '@app/config';
import type { ServiceHealth } from '@app/observability';
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
  /** The caller's variables (ENV): its TLS settings (GRPC_*) and how it mints its own token. */
  env: Env;
  /**
   * The peer as a dependency of this service (`registry`, `admin`), reported to
   * `health` as reachable or not: a degraded service, never a stopped one.
   */
  dependency?: { name: string; health: ServiceHealth | undefined };
}

/** Call failures that mean the peer was not reached (or did not answer in time), not that it refused. */
const UNREACHED: ReadonlySet<number> = new Set([GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED]);

/**
 * A service's one channel to another of our services (a carrier's to the
 * registry or the administration, the administration's to the registry): TLS
 * from `clientCredentials`, the caller's service token on every call, reconnects
 * no slower than `retryMaxMs`. Built at start-up, so a bad TLS or token setting
 * stops the service with the variable's name.
 *
 * It also knows whether the peer is reachable, and tells the service's health
 * (`dependency`): down when the channel cannot connect or a call (`tracked`,
 * `trackedStream`) fails unreached (UNAVAILABLE, DEADLINE_EXCEEDED), up again
 * when the channel connects or a call is answered.
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
    this.spec.dependency?.health?.declare(this.spec.dependency.name, {
      critical: false,
      detail: `connecting to ${address}`,
    });
    this.client = createGrpcClient(this.spec.service, this.spec.protoFile, address, {
      credentials: clientCredentials(this.spec.env),
      token: serviceTokenSource(this.spec.identity, this.spec.tokenFile, this.spec.env),
      channelOptions: {
        // grpc-js would otherwise wait up to 2 minutes between reconnects after a long outage.
        'grpc.initial_reconnect_backoff_ms': Math.min(1000, retryMaxMs),
        'grpc.max_reconnect_backoff_ms': retryMaxMs,
        'grpc.keepalive_time_ms': KEEPALIVE_MS,
        'grpc.keepalive_timeout_ms': 10_000,
      },
    });
    if (this.spec.dependency?.health) this.watch(this.client.getChannel(), address);
  }

  onApplicationShutdown(): void {
    this.client?.close();
  }

  protected channel(): GrpcServiceClient {
    if (!this.client) throw new Error(`${this.spec.addressVariable} is not set: ${this.spec.service} is not called`);
    return this.client;
  }

  /** A unary call whose outcome tells whether the peer is reachable; `what` names it in the health detail. */
  protected tracked<T>(what: string, call: Promise<T>): Promise<T> {
    call.then(
      () => this.reachable(`${what} answered`),
      (error: unknown) => this.failed(what, error),
    );
    return call;
  }

  /** A stream whose first answer, or failure, tells whether the peer is reachable. */
  protected trackedStream<S extends EventEmitter>(what: string, stream: S): S {
    stream.on('metadata', () => this.reachable(`${what} open`));
    stream.on('error', (error: unknown) => this.failed(what, error));
    return stream;
  }

  /**
   * Follows the channel's connectivity for good: READY is reachable, TRANSIENT_FAILURE not;
   * ends when the channel shuts down.
   */
  private watch(channel: ReturnType<GrpcServiceClient['getChannel']>, address: string): void {
    const state = channel.getConnectivityState(false);
    if (state === connectivityState.SHUTDOWN) return;
    if (state === connectivityState.READY) this.reachable(`connected to ${address}`);
    else if (state === connectivityState.TRANSIENT_FAILURE) this.unreachable(`cannot connect to ${address}`);
    channel.watchConnectivityState(state, Infinity, () => this.watch(channel, address));
  }

  private failed(what: string, error: unknown): void {
    const { code, details } = error as { code?: unknown; details?: unknown };
    if (typeof code === 'number' && UNREACHED.has(code))
      this.unreachable(
        `${what}: ${GrpcStatus[code]}${typeof details === 'string' && details !== '' ? ` (${details})` : ''}`,
      );
  }

  private reachable(detail: string): void {
    const dependency = this.spec.dependency;
    dependency?.health?.report(dependency.name, true, detail);
  }

  private unreachable(detail: string): void {
    const dependency = this.spec.dependency;
    dependency?.health?.report(dependency.name, false, detail);
  }
}
