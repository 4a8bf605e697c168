import {
  applyFlag,
  NOT_LISTED,
  RegistryStatus,
  statusAfterVerification,
  verificationRefusal,
  VerificationOutcome,
  type NumberState,
} from './number-status';

const at = (iso: string) => new Date(iso);
const cleared = (when: string): NumberState => ({ status: RegistryStatus.Cleared, version: 7, clearedAt: at(when) });

describe(applyFlag.name, () => {
  const evidence = { observedAt: at('2024-02-06T12:00:00Z'), windowStart: null };

  it('lists a number that was not listed', () => {
    expect(applyFlag(NOT_LISTED, evidence)).toEqual({
      status: RegistryStatus.Suspected,
      changed: true,
      protectedByClearance: false,
    });
  });

  it.each([RegistryStatus.Suspected, RegistryStatus.Confirmed])('leaves %s as it is', (status) => {
    expect(applyFlag({ status, version: 3, clearedAt: null }, evidence)).toEqual({
      status,
      changed: false,
      protectedByClearance: false,
    });
  });

  it('protects a cleared number against evidence observed before the clearance', () => {
    expect(applyFlag(cleared('2024-02-07T00:00:00Z'), evidence)).toEqual({
      status: RegistryStatus.Cleared,
      changed: false,
      protectedByClearance: true,
    });
  });

  it('protects it against evidence whose window began before the clearance', () => {
    const spanning = { observedAt: at('2024-02-08T00:00:00Z'), windowStart: at('2024-02-06T00:00:00Z') };
    expect(applyFlag(cleared('2024-02-07T00:00:00Z'), spanning).protectedByClearance).toBe(true);
  });

  it('lists it again on evidence gathered wholly after the clearance', () => {
    const fresh = { observedAt: at('2024-02-09T00:00:00Z'), windowStart: at('2024-02-08T00:00:00Z') };
    expect(applyFlag(cleared('2024-02-07T00:00:00Z'), fresh)).toEqual({
      status: RegistryStatus.Suspected,
      changed: true,
      protectedByClearance: false,
    });
  });
});

describe(verificationRefusal.name, () => {
  const state = (status: RegistryStatus): NumberState => ({ status, version: 1, clearedAt: null });

  it.each([
    [RegistryStatus.NotListed, VerificationOutcome.Confirmed, undefined],
    [RegistryStatus.NotListed, VerificationOutcome.Cleared, 'the number is not listed: there is nothing to clear'],
    [RegistryStatus.Suspected, VerificationOutcome.Confirmed, undefined],
    [RegistryStatus.Suspected, VerificationOutcome.Cleared, undefined],
    [RegistryStatus.Confirmed, VerificationOutcome.Confirmed, 'the number is already CONFIRMED'],
    [RegistryStatus.Confirmed, VerificationOutcome.Cleared, undefined],
    [RegistryStatus.Cleared, VerificationOutcome.Cleared, 'the number is already CLEARED'],
    [RegistryStatus.Cleared, VerificationOutcome.Confirmed, undefined],
  ])('%s + %s → %s', (from, outcome, refusal) => {
    expect(verificationRefusal(state(from), outcome)).toBe(refusal);
  });

  it('maps outcomes to statuses', () => {
    expect(statusAfterVerification(VerificationOutcome.Confirmed)).toBe(RegistryStatus.Confirmed);
    expect(statusAfterVerification(VerificationOutcome.Cleared)).toBe(RegistryStatus.Cleared);
  });
});
