import { common, registry } from '@app/contracts';
import { fromWireChange, latestPerNumber } from './registry-change.mapper';

const change = (version: number, msisdn: string, status: common.NumberStatus): registry.StatusChange => ({
  version,
  msisdn,
  status,
  previousStatus: common.NumberStatus.NUMBER_STATUS_SUSPECTED,
  cause: registry.ChangeCause.CHANGE_CAUSE_VERIFICATION,
  changedAt: { seconds: 1764400000, nanos: 5_000_000 },
});

describe(fromWireChange.name, () => {
  it('gives the status in the engine’s terms and the registry’s change time in ms', () => {
    expect(fromWireChange(change(7, '+8619112345678', common.NumberStatus.NUMBER_STATUS_CLEARED))).toEqual({
      msisdn: '+8619112345678',
      status: 'CLEARED',
      version: 7,
      atMs: 1764400000005,
    });
  });

  it('stops at a change it cannot read rather than skip it', () => {
    expect(() => fromWireChange(change(8, '+8619112345678', common.NumberStatus.NUMBER_STATUS_UNSPECIFIED))).toThrow(
      'registry change 8 of +8619112345678 has no known status',
    );
    expect(() =>
      fromWireChange({
        ...change(9, '+8619112345678', common.NumberStatus.NUMBER_STATUS_SUSPECTED),
        changedAt: undefined,
      }),
    ).toThrow('has no changed_at');
  });
});

describe(latestPerNumber.name, () => {
  it('keeps each number’s last change of the batch', () => {
    const changes = [
      fromWireChange(change(1, '+8619100000001', common.NumberStatus.NUMBER_STATUS_SUSPECTED)),
      fromWireChange(change(2, '+8619100000002', common.NumberStatus.NUMBER_STATUS_SUSPECTED)),
      fromWireChange(change(3, '+8619100000001', common.NumberStatus.NUMBER_STATUS_CONFIRMED)),
    ];
    expect(latestPerNumber(changes)).toEqual([
      { msisdn: '+8619100000001', status: 'CONFIRMED', version: 3 },
      { msisdn: '+8619100000002', status: 'SUSPECTED', version: 2 },
    ]);
  });
});
