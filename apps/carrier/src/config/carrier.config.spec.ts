import { ConfigError } from '@app/config';
import { CARRIER_IDS } from '@app/grpc';
import { CARRIER_DEFAULT_PORTS, carrierConfig } from './carrier.config';

describe(carrierConfig.name, () => {
  it('serves the carrier named by CARRIER_ID on its own default port', () => {
    expect(carrierConfig({ CARRIER_ID: 'CMCC' })).toEqual({ carrierId: 'CMCC', defaultPort: 50061 });
    expect(carrierConfig({ CARRIER_ID: 'CUCC' })).toEqual({ carrierId: 'CUCC', defaultPort: 50062 });
    expect(carrierConfig({ CARRIER_ID: 'CTCC' })).toEqual({ carrierId: 'CTCC', defaultPort: 50063 });
    expect(carrierConfig({ CARRIER_ID: 'CBN' })).toEqual({ carrierId: 'CBN', defaultPort: 50064 });
  });

  it('gives every carrier a distinct port', () => {
    expect(new Set(CARRIER_IDS.map((id) => CARRIER_DEFAULT_PORTS[id])).size).toBe(CARRIER_IDS.length);
  });

  it('refuses a missing or unknown CARRIER_ID, naming the variable and the choices', () => {
    expect(() => carrierConfig({})).toThrow(new ConfigError('CARRIER_ID', 'is required (one of CMCC, CUCC, CTCC, CBN)'));
    expect(() => carrierConfig({ CARRIER_ID: 'cmcc' })).toThrow(new ConfigError('CARRIER_ID', '"cmcc" is not one of CMCC, CUCC, CTCC, CBN'));
  });
});
