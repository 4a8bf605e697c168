import { Action, DEFAULT_POLICY, ReasonCode, type CarrierEvent, type Msisdn } from '@app/domain';

const DAY = 86_400_000;

/**
 * A deliberately mis-tuned rule: the new-segment reason alone restricts, at once. Its
 * error budget: 3 mistakes and 5 % of its steps over 30 days.
 */
export const BUDGET_POLICY = {
  ...DEFAULT_POLICY,
  name: 'budget',
  version: 1,
  curve: 'step',
  weights: { ...DEFAULT_POLICY.weights, [ReasonCode.NewSegment]: 0.7 },
  gates: { ...DEFAULT_POLICY.gates, weakEvidenceCap: Action.Suspend },
  // It restricts on the one call that shows the segment, without a labelled call first.
  calleeProtection: { ...DEFAULT_POLICY.calleeProtection, labelFirst: false },
  errorBudget: { windowDays: 30, minMistakes: 3, share: 0.05 },
};

/** A number in a new segment (165). */
export const segmentNumber = (n: number) => `+86165${String(n).padStart(8, '0')}` as Msisdn;

/** A subscriber of `carrier` of long standing who makes one ordinary call at `at`. */
export function oneCall(msisdn: Msisdn, at: number, carrier: 'CTCC' | 'CMCC' = 'CTCC'): CarrierEvent[] {
  return [
    {
      type: 'subscriber',
      at: at - 400 * DAY,
      msisdn,
      carrier,
      activatedAt: at - 400 * DAY,
      realNameVerified: true,
      profile: 'none' as never,
    },
    { type: 'call', at, caller: msisdn, callee: '+8613800138000' as Msisdn, durationSec: 90, answered: true },
  ];
}
