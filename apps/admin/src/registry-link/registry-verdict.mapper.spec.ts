import { common, registry } from '@app/contracts';
import { verdictOf } from './registry-verdict.mapper';

const change = (status: common.NumberStatus): registry.StatusChange => ({
  version: 12,
  msisdn: '+8619100000001',
  status,
  previousStatus: common.NumberStatus.NUMBER_STATUS_SUSPECTED,
  cause: registry.ChangeCause.CHANGE_CAUSE_VERIFICATION,
  changedAt: { seconds: 1707213600, nanos: 0 },
});

describe(verdictOf.name, () => {
  it('takes the police verdicts, with the registry’s time of change', () => {
    expect(verdictOf(change(common.NumberStatus.NUMBER_STATUS_CLEARED))).toEqual({
      msisdn: '+8619100000001',
      version: 12,
      status: 'CLEARED',
      changedAt: new Date('2024-02-06T10:00:00Z'),
    });
    expect(verdictOf(change(common.NumberStatus.NUMBER_STATUS_CONFIRMED))?.status).toBe('CONFIRMED');
  });

  it('passes over flags, and stops at a verdict without a time rather than skip it', () => {
    expect(verdictOf(change(common.NumberStatus.NUMBER_STATUS_SUSPECTED))).toBeUndefined();
    expect(() => verdictOf({ ...change(common.NumberStatus.NUMBER_STATUS_CLEARED), changedAt: undefined })).toThrow(
      'registry change 12 of +8619100000001 has no changed_at',
    );
  });
});
