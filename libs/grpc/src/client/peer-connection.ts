import type { EventEmitter } from 'node:events';
import { connectivityState, Metadata, status as GrpcStatus, type ClientReadableStream } from '@grpc/grpc-js';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Env } from '@app/config';
import type { registry } from '@app/contracts';
import type { ServiceHealth } from '@app/observability';
import { clientCredentials } from './client-credentials';
import { createGrpcClient, unary, type GrpcServiceClient } from './grpc-client';
import { serviceTokenSource, type ServiceIdentity } from './service-token';

/** A dead peer under a live stream is noticed within about this long. */
const KEEPALIVE_MS = 30_000;

/** The services that our services call, by name: what PeerConnection needs to reach each. */
export const PEERS = {
  registry: {
    service: 'fraud.registry.v1.RegistryService',
    protoFile: 'fraud/registry/v1/registry.proto',
    addressVariable: 'REGISTRY_ADDRESS',
    tokenVariable: 'REGISTRY_TOKEN_FILE',
  },
  admin: {
    service: 'fraud.admin.v1.AdminService',
    protoFile: 'fraud/admin/v1/admin.proto',
    addressVariable: 'ADMIN_ADDRESS',
    tokenVariable: 'ADMIN_TOKEN_FILE',
  },
} as const;

export type PeerName = keyof typeof PEERS;

/** Which service a PeerConnection calls, and how. */
export interface PeerSpec {
  /** The peer (PEERS): its gRPC service and proto file under PROTO_ROOT, and the variables that set where and how. */
  peer: PeerName;
  /** `host:port` (the peer's address variable); undefined: the peer is not called at all. */
  address: string | undefined;
  /** Who calls: e.g. `carrier-ctcc` as `carrier:CTCC`. */
  identity: ServiceIdentity;
  /** The file with the caller's token for the peer (the peer's token variable); undefined: minted. */
  tokenFile: string | undefined;
  /** The longest pause between grpc-js reconnects while the peer is unreachable. */
  retryMaxMs: number;
  /** The caller's variables (ENV): its TLS settings (GRPC_*) and how it mints its own token. */
  env: Env;
  /**
   * Told whether the peer, a dependency of this service under the peer's name,
   * is reachable or not: a degraded service, never a stopped one.
   */
  health: ServiceHealth | undefined;
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
 * (`health`): down when the channel cannot connect or a call (`tracked`,
 * `trackedStream`) fails unreached (UNAVAILABLE, DEADLINE_EXCEEDED), up again
 * when the channel connects or a call is answered.
 */
export abstract class PeerConnection implements OnModuleInit, OnApplicationShutdown {
  private client: GrpcServiceClient | undefined;
  private token: (() => string) | undefined;
  /** Clients of the peer's other services (another version), on the same channel: see serviceOnChannel. */
  private readonly others = new Map<string, GrpcServiceClient>();
  private readonly peer: (typeof PEERS)[PeerName];
  private readonly dependency: { name: PeerName; health: ServiceHealth } | undefined;

  protected constructor(private readonly spec: PeerSpec) {
    this.peer = PEERS[spec.peer];
    this.dependency = spec.health && { name: spec.peer, health: spec.health };
  }

  get enabled(): boolean {
    return this.spec.address !== undefined;
  }

  onModuleInit(): void {
    const { address, retryMaxMs } = this.spec;
    if (address === undefined) return;
    this.dependency?.health.declare(this.dependency.name, { critical: false, detail: `connecting to ${address}` });
    const tokenFile = { variable: this.peer.tokenVariable, file: this.spec.tokenFile };
    this.token = serviceTokenSource(this.spec.identity, tokenFile, this.spec.env);
    this.client = createGrpcClient(this.peer.service, this.peer.protoFile, address, {
      credentials: clientCredentials(this.spec.env),
      token: this.token,
      channelOptions: {
        // grpc-js would otherwise wait up to 2 minutes between reconnects after a long outage.
        'grpc.initial_reconnect_backoff_ms': Math.min(1000, retryMaxMs),
        'grpc.max_reconnect_backoff_ms': retryMaxMs,
        'grpc.keepalive_time_ms': KEEPALIVE_MS,
        'grpc.keepalive_timeout_ms': 10_000,
      },
    });
    if (this.dependency) this.watch(this.client.getChannel(), address);
  }

  onApplicationShutdown(): void {
    for (const other of this.others.values()) other.close();
    this.client?.close();
  }

  /**
   * A client of another service of the same peer, e.g. `fraud.registry.v2.RegistryService`,
   * sharing the channel (one connection, its TLS and reconnects) and the token.
   */
  protected serviceOnChannel(service: string, protoFile: string): GrpcServiceClient {
    let other = this.others.get(service);
    if (!other) {
      const channel = this.channel();
      other = createGrpcClient(service, protoFile, this.spec.address ?? '', {
        credentials: clientCredentials(this.spec.env),
        ...(this.token ? { token: this.token } : {}),
        channelOptions: { channelOverride: channel.getChannel() },
      });
      this.others.set(service, other);
    }
    return other;
  }

  protected channel(): GrpcServiceClient {
    if (!this.client) throw new Error(`${this.peer.addressVariable} is not set: ${this.peer.service} is not called`);
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

  /** A unary call of `method` (e.g. SubmitFlags) due within `deadlineMs`, tracked as above. */
  protected trackedUnary<Response>(method: string, request: object, deadlineMs: number): Promise<Response> {
    const name = method[0].toLowerCase() + method.slice(1);
    const deadline = Date.now() + deadlineMs;
    return this.tracked(method, unary<Response>(this.channel(), name, request, new Metadata(), { deadline }));
  }

  /** A stream whose first answer, or failure, tells whether the peer is reachable. */
  protected trackedStream<S extends EventEmitter>(what: string, stream: S): S {
    stream.on('metadata', () => this.reachable(`${what} open`));
    stream.on('error', (error: unknown) => this.failed(what, error));
    return stream;
  }

  /**
   * Follows the channel's connectivity for good: READY is reachable,
   * TRANSIENT_FAILURE not; ends when the channel shuts down.
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
    this.dependency?.health.report(this.dependency.name, true, detail);
  }

  private unreachable(detail: string): void {
    this.dependency?.health.report(this.dependency.name, false, detail);
  }
}

/** The registry as a peer: its change feed, which the carriers and the administration follow. */
export abstract class RegistryPeerConnection extends PeerConnection {
  protected constructor(spec: Omit<PeerSpec, 'peer'>) {
    super({ ...spec, peer: 'registry' });
  }

  /** Every status change after `sinceVersion`, then live; the caller cancels it. */
  watchChanges(sinceVersion: number): ClientReadableStream<registry.WatchChangesResponse> {
    const client = this.channel() as unknown as {
      watchChanges(
        request: registry.WatchChangesRequest,
        metadata: Metadata,
      ): ClientReadableStream<registry.WatchChangesResponse>;
    };
    return this.trackedStream('WatchChanges', client.watchChanges({ sinceVersion }, new Metadata()));
  }
}
