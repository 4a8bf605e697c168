import { carrier } from '@app/contracts';
import type { StoredAppealOutcome, StoredReactivationOutcome } from './reactivation.repository';

const OUTCOMES: Record<StoredReactivationOutcome, carrier.ReactivationOutcome> = {
  RESTORED: carrier.ReactivationOutcome.REACTIVATION_OUTCOME_RESTORED,
  NOT_SUSPENDED: carrier.ReactivationOutcome.REACTIVATION_OUTCOME_NOT_SUSPENDED,
  ID_NOT_VERIFIED: carrier.ReactivationOutcome.REACTIVATION_OUTCOME_ID_NOT_VERIFIED,
  REFERRED_TO_POLICE: carrier.ReactivationOutcome.REACTIVATION_OUTCOME_REFERRED_TO_POLICE,
  CONFIRMED_FRAUD: carrier.ReactivationOutcome.REACTIVATION_OUTCOME_CONFIRMED_FRAUD,
};

const APPEAL_OUTCOMES: Record<StoredAppealOutcome, carrier.AppealOutcome> = {
  UPHELD: carrier.AppealOutcome.APPEAL_OUTCOME_UPHELD,
  REJECTED: carrier.AppealOutcome.APPEAL_OUTCOME_REJECTED,
  CONFIRMED_FRAUD: carrier.AppealOutcome.APPEAL_OUTCOME_CONFIRMED_FRAUD,
};

export function toWireOutcome(outcome: StoredReactivationOutcome): carrier.ReactivationOutcome {
  return OUTCOMES[outcome];
}

export function toWireAppealOutcome(outcome: StoredAppealOutcome): carrier.AppealOutcome {
  return APPEAL_OUTCOMES[outcome];
}
