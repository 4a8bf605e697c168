import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Metadata, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import {
  clientCredentials,
  createGrpcClient,
  GrpcStatusError,
  markAudited,
  unary,
  type GrpcServiceClient,
} from '@app/grpc';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';

/** Set on a call one shard passes to another: the receiver answers it itself, never passes it on again. */
export const FORWARDED_HEADER = 'x-carrier-shard-from';
/** How long a passed-on call may take, unless the caller's own deadline is nearer. */
const FORWARD_DEADLINE_MS = 10_000;
/** Statuses a passed-on call may end with without the owner having served (and audited) it. */
const NOT_SERVED: ReadonlySet<number> = new Set([GrpcCode.UNAVAILABLE, GrpcCode.DEADLINE_EXCEEDED, GrpcCode.CANCELLED]);
/** Headers of the transport, never passed on (grpc-js sets its own). */
const TRANSPORT = /^(:|grpc-|content-type$|te$|user-agent$|host$)/;

/**
 * Passes calls about one number to the shard that keeps it (shard mode: CARRIER_SHARD_ADDRESSES), with the caller's
 * own metadata (its token: the owner authorizes and audits the call as its own), and answers what the owner
 * answered, its gRPC status included, marked as audited there (markAudited).
 */
@Injectable()
export class ShardForwarder implements OnModuleDestroy {
  private readonly clients = new Map<number, GrpcServiceClient>();

  constructor(@Inject(CARRIER_CONFIG) private readonly config: CarrierConfig) {}

  /** `method` of CarrierService (e.g. CheckCall) on shard `shard`. */
  async unary<Response>(shard: number, method: string, request: unknown, incoming: Metadata): Promise<Response> {
    const { shards } = this.config;
    if (!shards) throw new Error('not a shard: nothing to pass a call on to');
    if (incoming.get(FORWARDED_HEADER).length > 0) {
      throw new GrpcStatusError(
        GrpcCode.INTERNAL,
        `shard ${shards.index} was passed a call about a number it does not keep: ` +
          'the shards disagree on CARRIER_SHARDS or CARRIER_SHARD_ADDRESSES',
      );
    }
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(incoming.getMap()))
      if (!TRANSPORT.test(key) && !key.endsWith('-bin')) metadata.set(key, String(value));
    metadata.set(FORWARDED_HEADER, String(shards.index));
    try {
      // The owner audits what it serves: this shard's audit of the call does not write it again.
      return markAudited(
        await unary<Response>(this.client(shard), method, request, metadata, {
          deadline: Date.now() + FORWARD_DEADLINE_MS,
        }),
      );
    } catch (error) {
      const failure = error as Partial<ServiceError>;
      if (typeof failure.code !== 'number') throw error;
      const status = new GrpcStatusError(
        failure.code,
        failure.details ?? failure.message ?? 'failed on the owner shard',
      );
      // A call that may never have reached the owner is audited here.
      throw NOT_SERVED.has(failure.code) ? status : markAudited(status);
    }
  }

  onModuleDestroy(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private client(shard: number): GrpcServiceClient {
    let client = this.clients.get(shard);
    if (!client) {
      const address = this.config.shards!.addresses[shard];
      client = createGrpcClient('fraud.carrier.v1.CarrierService', 'fraud/carrier/v1/carrier.proto', address, {
        credentials: clientCredentials(process.env),
      });
      this.clients.set(shard, client);
    }
    return client;
  }
}
