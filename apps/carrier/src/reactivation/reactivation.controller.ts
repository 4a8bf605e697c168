import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { action, appealOutcome, reactivationOutcome, type carrier } from '@app/contracts';
import { NumberCall } from '@app/audit';
import { principalOf, RoleKind } from '@app/grpc';
import { AppealService } from './appeal.service';
import { redactNationalIds } from './national-id';
import { OnOwnerShard } from '../shard/owner-shard.interceptor';
import { ReactivationService } from './reactivation.service';

@Controller()
export class ReactivationController implements Pick<carrier.CarrierServiceController, 'reactivate' | 'resolveAppeal'> {
  constructor(
    private readonly reactivations: ReactivationService,
    private readonly appeals: AppealService,
  ) {}

  /** Audited without the national ID: the log keeps the ID check's reference, anything ID-shaped in it blanked. */
  @NumberCall<carrier.ReactivateRequest>('CarrierService', 'Reactivate', [RoleKind.Carrier], (r) => ({
    detail: { verificationReference: redactNationalIds(r.verificationReference ?? ''), idVerified: r.idVerified },
  }))
  @OnOwnerShard('Reactivate')
  async reactivate(request: carrier.ReactivateRequest, metadata: Metadata): Promise<carrier.ReactivateResponse> {
    const result = await this.reactivations.reactivate(principalOf(metadata), request);
    return {
      msisdn: result.msisdn,
      outcome: reactivationOutcome.toWire(result.outcome),
      state: action.toWire(result.state),
      replayed: result.replayed,
    };
  }

  @NumberCall<carrier.ResolveAppealRequest>(
    'CarrierService',
    'ResolveAppeal',
    [RoleKind.Carrier, RoleKind.Admin],
    (r) => ({ detail: { upheld: r.upheld, reference: r.reference } }),
  )
  @OnOwnerShard('ResolveAppeal')
  async resolveAppeal(
    request: carrier.ResolveAppealRequest,
    metadata: Metadata,
  ): Promise<carrier.ResolveAppealResponse> {
    const result = await this.appeals.resolve(principalOf(metadata), request);
    return {
      msisdn: result.msisdn,
      state: action.toWire(result.state),
      replayed: result.replayed,
      outcome: appealOutcome.toWire(result.outcome),
    };
  }
}
