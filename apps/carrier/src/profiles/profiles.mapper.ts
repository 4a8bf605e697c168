import { carrier } from '@app/contracts';
import { UsageProfile, ValidationError, ValidationErrorCode } from '@app/domain';
import type { StoredDeclarationOutcome } from './profiles.repository';

const FROM_WIRE: Partial<Record<carrier.UsageProfile, UsageProfile>> = {
  [carrier.UsageProfile.USAGE_PROFILE_NONE]: UsageProfile.None,
  [carrier.UsageProfile.USAGE_PROFILE_COURIER]: UsageProfile.Courier,
  [carrier.UsageProfile.USAGE_PROFILE_DELIVERY]: UsageProfile.Delivery,
  [carrier.UsageProfile.USAGE_PROFILE_LOGISTICS]: UsageProfile.Logistics,
  [carrier.UsageProfile.USAGE_PROFILE_ENTERPRISE]: UsageProfile.Enterprise,
};

const TO_WIRE: Record<UsageProfile, carrier.UsageProfile> = {
  [UsageProfile.None]: carrier.UsageProfile.USAGE_PROFILE_NONE,
  [UsageProfile.Courier]: carrier.UsageProfile.USAGE_PROFILE_COURIER,
  [UsageProfile.Delivery]: carrier.UsageProfile.USAGE_PROFILE_DELIVERY,
  [UsageProfile.Logistics]: carrier.UsageProfile.USAGE_PROFILE_LOGISTICS,
  [UsageProfile.Enterprise]: carrier.UsageProfile.USAGE_PROFILE_ENTERPRISE,
};

const OUTCOMES: Record<StoredDeclarationOutcome, carrier.DeclarationOutcome> = {
  DECLARED: carrier.DeclarationOutcome.DECLARATION_OUTCOME_DECLARED,
  CONFIRMED_FRAUD: carrier.DeclarationOutcome.DECLARATION_OUTCOME_CONFIRMED_FRAUD,
};

export function toWireDeclarationOutcome(outcome: StoredDeclarationOutcome): carrier.DeclarationOutcome {
  return OUTCOMES[outcome];
}

/** A declaration must say which profile: UNSPECIFIED is refused (NONE withdraws an earlier one). */
export function fromWireDeclaredProfile(profile: carrier.UsageProfile | undefined): UsageProfile {
  const mapped = profile === undefined ? undefined : FROM_WIRE[profile];
  if (!mapped) throw new ValidationError(ValidationErrorCode.Required, 'profile', 'must be NONE, COURIER, DELIVERY, LOGISTICS or ENTERPRISE');
  return mapped;
}

export function toWireProfile(profile: UsageProfile): carrier.UsageProfile {
  return TO_WIRE[profile];
}
