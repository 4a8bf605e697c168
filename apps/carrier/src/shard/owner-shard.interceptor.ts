import {
  applyDecorators,
  Injectable,
  SetMetadata,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Metadata } from '@grpc/grpc-js';
import { from, type Observable } from 'rxjs';
import { normaliseMsisdn, type Msisdn } from '@app/domain';
import { AnalysisService } from '../analysis/analysis.service';
import { ShardForwarder } from './shard-forwarder';

const OWNER_RPC = Symbol('owner-shard-rpc');

/**
 * A CarrierService method about the request's `msisdn`: in shard mode, a shard that does not keep the number passes
 * the call to the one that does (after its own guard: the caller is authorized here and again there).
 */
export function OnOwnerShard(rpc: string): MethodDecorator {
  return applyDecorators(SetMetadata(OWNER_RPC, rpc), UseInterceptors(OwnerShardInterceptor));
}

@Injectable()
export class OwnerShardInterceptor implements NestInterceptor {
  private readonly reflector = new Reflector();

  constructor(
    private readonly analysis: AnalysisService,
    private readonly forwarder: ShardForwarder,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const host = this.analysis.shard;
    const rpc = this.reflector.get<string | undefined>(OWNER_RPC, context.getHandler());
    if (!host || !rpc) return next.handle();
    const request = context.switchToRpc().getData<{ msisdn?: string }>();
    let msisdn: Msisdn;
    try {
      msisdn = normaliseMsisdn(request.msisdn ?? '', 'msisdn');
    } catch {
      // The handler refuses it, with the field named.
      return next.handle();
    }
    const owner = host.ownerOf(msisdn);
    if (owner === host.index) return next.handle();
    return from(this.forwarder.unary(owner, rpc, request, context.switchToRpc().getContext<Metadata>()));
  }
}
