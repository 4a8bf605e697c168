/** A number's status in the shared registry. */
export enum RegistryStatus {
  NotListed = 'NOT_LISTED',
  Suspected = 'SUSPECTED',
  Confirmed = 'CONFIRMED',
  Cleared = 'CLEARED',
}

export enum VerificationOutcome {
  Confirmed = 'CONFIRMED',
  Cleared = 'CLEARED',
}

/** What the registry knows of a number when deciding a transition. */
export interface NumberState {
  status: RegistryStatus;
  version: number;
  /** When the number was last cleared; evidence from before it cannot list it again. */
  clearedAt: Date | null;
}

export const NOT_LISTED: NumberState = Object.freeze({ status: RegistryStatus.NotListed, version: 0, clearedAt: null });

export interface FlagOutcome {
  status: RegistryStatus;
  changed: boolean;
  protectedByClearance: boolean;
}

/**
 * A flag lists a number as SUSPECTED, except that police clearance protects it
 * against evidence gathered before the clearance: only evidence observed, and
 * whose window started, after the clearance can list it again. CONFIRMED stays.
 */
export function applyFlag(state: NumberState, evidence: { observedAt: Date; windowStart: Date | null }): FlagOutcome {
  switch (state.status) {
    case RegistryStatus.NotListed:
      return { status: RegistryStatus.Suspected, changed: true, protectedByClearance: false };
    case RegistryStatus.Suspected:
    case RegistryStatus.Confirmed:
      return { status: state.status, changed: false, protectedByClearance: false };
    case RegistryStatus.Cleared: {
      const clearedAt = state.clearedAt?.getTime() ?? Number.POSITIVE_INFINITY;
      const firstObserved = Math.min(
        evidence.observedAt.getTime(),
        evidence.windowStart?.getTime() ?? Number.POSITIVE_INFINITY,
      );
      if (firstObserved <= clearedAt) {
        return { status: RegistryStatus.Cleared, changed: false, protectedByClearance: true };
      }
      return { status: RegistryStatus.Suspected, changed: true, protectedByClearance: false };
    }
  }
}

/** Why a police verification cannot be applied; undefined when it can. */
export function verificationRefusal(state: NumberState, outcome: VerificationOutcome): string | undefined {
  const target = outcome === VerificationOutcome.Confirmed ? RegistryStatus.Confirmed : RegistryStatus.Cleared;
  if (state.status === target) return `the number is already ${target}`;
  if (state.status === RegistryStatus.NotListed && outcome === VerificationOutcome.Cleared) {
    return 'the number is not listed: there is nothing to clear';
  }
  return undefined;
}

export function statusAfterVerification(outcome: VerificationOutcome): RegistryStatus {
  return outcome === VerificationOutcome.Confirmed ? RegistryStatus.Confirmed : RegistryStatus.Cleared;
}
