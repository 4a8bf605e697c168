import { Injectable } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import { RoleKind, Roles, type PlainUnaryRpc } from '@app/grpc';
import { CallCheckService } from './callcheck.service';

/** Who may ask for a call-setup verdict: the carrier's own switches (carrier:<ID> of this carrier). */
export const CHECK_CALL_ROLES: readonly RoleKind[] = [RoleKind.Carrier];

/**
 * CheckCall, served by a plain grpc-js handler beside Nest (GrpcServiceSpec.plainRpcs):
 * it runs for every call set up on the network, so it skips Nest's pipeline and
 * AsyncLocalStorage, under the same admission, metrics and statuses. Not audited.
 */
@Injectable()
@Roles(...CHECK_CALL_ROLES)
export class CheckCallRpc implements PlainUnaryRpc<carrier.CheckCallRequest, carrier.CheckCallResponse> {
  readonly rpc = 'fraud.carrier.v1.CarrierService/CheckCall';
  /** The answers are CallCheckService's prebuilt, frozen verdicts: each is encoded once. */
  readonly sharedAnswers = true;

  constructor(private readonly calls: CallCheckService) {}

  handle(
    request: carrier.CheckCallRequest,
    _principal: unknown,
    _context: unknown,
    metadata: Metadata,
  ): carrier.CheckCallResponse | Promise<carrier.CheckCallResponse> {
    return this.calls.answer(request.caller, request.callee, metadata);
  }
}
