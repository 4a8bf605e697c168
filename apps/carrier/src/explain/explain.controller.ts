import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { action, numberStatus, toTimestamp, usageProfile, type carrier } from '@app/contracts';
import { Audited } from '@app/audit';
import { RoleKind, Roles } from '@app/grpc';
import { toWireDecision } from '../decisions/decision.mapper';
import { OnOwnerShard } from '../shard/owner-shard.interceptor';
import { ExplainService } from './explain.service';

/** Audit columns are bounded; an over-long value is refused by the service, but its audit line must still fit. */
const AUDIT_TARGET_MAX = 32;
const AUDIT_PURPOSE_MAX = 500;

@Controller()
export class ExplainController implements Pick<carrier.CarrierServiceController, 'explainNumber'> {
  constructor(private readonly explanations: ExplainService) {}

  @GrpcMethod('CarrierService', 'ExplainNumber')
  @Roles(RoleKind.Carrier, RoleKind.Admin, RoleKind.Police)
  @Audited<carrier.ExplainNumberRequest>((request) => ({
    target: request.msisdn?.slice(0, AUDIT_TARGET_MAX),
    purpose: request.purpose?.slice(0, AUDIT_PURPOSE_MAX),
  }))
  @OnOwnerShard('ExplainNumber')
  async explainNumber(request: carrier.ExplainNumberRequest): Promise<carrier.ExplainNumberResponse> {
    const explanation = await this.explanations.explain({ msisdn: request.msisdn, purpose: request.purpose });
    return {
      msisdn: explanation.msisdn,
      state: action.toWire(explanation.state),
      registryStatus: numberStatus.toWire(explanation.registryStatus ?? 'NOT_LISTED'),
      // No declaration: UNSPECIFIED.
      declaredProfile: usageProfile.toWire(explanation.profile),
      profileAttested: explanation.profileAttested,
      decisions: explanation.decisions.map(toWireDecision),
      nextStepsZh: explanation.nextSteps.zh,
      nextStepsEn: explanation.nextSteps.en,
      reactivationChancesLeft: explanation.reactivationChancesLeft,
      termUntil: explanation.term && toTimestamp(new Date(explanation.term.until)),
      termRenewals: explanation.term?.renewals ?? 0,
      termMaxRenewals: explanation.term?.maxRenewals ?? 0,
      reviewPendingSince:
        explanation.reviewPendingSince === undefined
          ? undefined
          : toTimestamp(new Date(explanation.reviewPendingSince)),
      // Absent without calleeProtection: the answer stays as it was before the section existed.
      ...(explanation.calleeProtection && {
        callsToStrangersLabelled: explanation.calleeProtection.callsToStrangersLabelled,
        calleesWarned: explanation.calleeProtection.calleesWarned,
      }),
    };
  }
}
