import type { Server } from '@grpc/grpc-js';
import type { INestApplicationContext, Type } from '@nestjs/common';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ServerGrpc, type GrpcOptions } from '@nestjs/microservices';
import { CallAdmission } from '../auth/call-admission';
import type { GrpcCallObserver } from './call-observer';
import { servePlainUnary, type PlainUnaryRpc } from './plain-unary';

/**
 * Nest's gRPC transport, plus plain handlers on the same grpc-js Server: once
 * Nest has added the services of its packages (binding its handlers, and
 * grpc-js's UNIMPLEMENTED default to methods without one), each plain RPC
 * replaces its method's handler there. One port, one server, one interceptor
 * chain, one health and reflection service.
 */
export class GrpcServer extends ServerGrpc {
  private plain: { rpcs: PlainUnaryRpc[]; admission: CallAdmission } | undefined;

  constructor(
    private readonly grpcOptions: GrpcOptions['options'],
    private readonly calls: GrpcCallObserver,
    /** Provider classes of the app: resolved by servePlainFrom once the app exists. */
    private readonly plainRpcs: readonly Type<PlainUnaryRpc>[],
  ) {
    super(grpcOptions);
  }

  /** Resolves the plain RPCs among the app's providers, with the app's admission rules; before the server listens. */
  servePlainFrom(app: INestApplicationContext): void {
    if (this.plainRpcs.length === 0) return;
    this.plain = {
      rpcs: this.plainRpcs.map((type) => app.get(type, { strict: false })),
      admission: app.get(CallAdmission, { strict: false }),
    };
  }

  override async bindEvents(): Promise<void> {
    await super.bindEvents();
    if (this.plainRpcs.length === 0) return;
    if (!this.plain)
      throw new Error(
        'plain gRPC handlers are listed but were not resolved: call servePlainFrom(app) before listening',
      );
    // The grpc-js Server Nest created and bound its services on (Nest gives no accessor to it for gRPC).
    const server: Server = this.grpcClient;
    const definition = this.grpcOptions.packageDefinition as PackageDefinition;
    for (const rpc of this.plain.rpcs) servePlainUnary(server, definition, rpc, this.plain.admission, this.calls);
  }
}
