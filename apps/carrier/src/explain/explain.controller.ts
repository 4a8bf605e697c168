import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { carrier, common } from '@app/contracts';
import { Audited } from '@app/audit';
import { UsageProfile, type RegistryMark } from '@app/domain';
import { RoleKind, Roles } from '@app/grpc';
import { toWireAction, toWireDecision } from '../decisions/decision.mapper';
import { ExplainService } from './explain.service';

const PROFILES: Record<UsageProfile, carrier.UsageProfile> = {
  [UsageProfile.None]: carrier.UsageProfile.USAGE_PROFILE_NONE,
  [UsageProfile.Courier]: carrier.UsageProfile.USAGE_PROFILE_COURIER,
  [UsageProfile.Delivery]: carrier.UsageProfile.USAGE_PROFILE_DELIVERY,
  [UsageProfile.Logistics]: carrier.UsageProfile.USAGE_PROFILE_LOGISTICS,
  [UsageProfile.Enterprise]: carrier.UsageProfile.USAGE_PROFILE_ENTERPRISE,
};

const STATUSES: Record<RegistryMark, common.NumberStatus> = {
  SUSPECTED: common.NumberStatus.NUMBER_STATUS_SUSPECTED,
  CONFIRMED: common.NumberStatus.NUMBER_STATUS_CONFIRMED,
  CLEARED: common.NumberStatus.NUMBER_STATUS_CLEARED,
};

/** Audit columns are bounded; an over-long value is refused by the service, but its audit line must still fit. */
const AUDIT_TARGET_MAX = 32;
const AUDIT_PURPOSE_MAX = 500;

@Controller()
export class ExplainController implements Pick<carrier.CarrierServiceController, 'explainNumber'> {
  constructor(private readonly explanations: ExplainService) {}

  @GrpcMethod('CarrierService', 'ExplainNumber')
  @Roles(RoleKind.Carrier, RoleKind.Admin, RoleKind.Police)
  @Audited<carrier.ExplainNumberRequest>((request) => ({ target: request.msisdn?.slice(0, AUDIT_TARGET_MAX), purpose: request.purpose?.slice(0, AUDIT_PURPOSE_MAX) }))
  async explainNumber(request: carrier.ExplainNumberRequest): Promise<carrier.ExplainNumberResponse> {
    const explanation = await this.explanations.explain({ msisdn: request.msisdn, purpose: request.purpose });
    return {
      msisdn: explanation.msisdn,
      state: toWireAction(explanation.state),
      registryStatus: explanation.registryStatus ? STATUSES[explanation.registryStatus] : common.NumberStatus.NUMBER_STATUS_NOT_LISTED,
      declaredProfile: explanation.profile ? PROFILES[explanation.profile] : carrier.UsageProfile.USAGE_PROFILE_UNSPECIFIED,
      profileAttested: explanation.profileAttested,
      decisions: explanation.decisions.map(toWireDecision),
      nextStepsZh: explanation.nextSteps.zh,
      nextStepsEn: explanation.nextSteps.en,
      reactivationChancesLeft: explanation.reactivationChancesLeft,
    };
  }
}
