import { ConfigError } from '@app/config';
import { carrierIdsOf } from './carrier-ids';

describe(carrierIdsOf.name, () => {
  it('defaults to the three national carriers', () => {
    expect(carrierIdsOf({})).toEqual(['CMCC', 'CUCC', 'CTCC']);
  });

  it('takes a comma-separated list, spaces and empty entries ignored', () => {
    expect(carrierIdsOf({ CARRIER_IDS: ' CBN , CMCC,' })).toEqual(['CBN', 'CMCC']);
  });

  it('refuses unknown and repeated carriers', () => {
    expect(() => carrierIdsOf({ CARRIER_IDS: 'CMCC,XYZ' })).toThrow(
      new ConfigError('CARRIER_IDS', '"XYZ" is not one of CMCC, CUCC, CTCC, CBN'),
    );
    expect(() => carrierIdsOf({ CARRIER_IDS: 'CMCC,CUCC,CMCC' })).toThrow(
      new ConfigError('CARRIER_IDS', 'CMCC is listed twice'),
    );
  });
});
