import { ConfigError, envString } from '@app/config';
import { DEFAULT_PROVINCE } from '../auth/roles';
import { envPeer, provinceProblem } from './service-settings';

const envProvince = (env: Record<string, string>, variable: string) =>
  envString(env, variable, DEFAULT_PROVINCE, provinceProblem);

describe('service settings', () => {
  it('reads the province, sichuan by default, and names the variable of a bad one', () => {
    expect(envProvince({}, 'ADMIN_PROVINCE')).toBe('sichuan');
    expect(envProvince({ CARRIER_PROVINCE: 'hubei' }, 'CARRIER_PROVINCE')).toBe('hubei');
    expect(() => envProvince({ CARRIER_PROVINCE: 'Hubei' }, 'CARRIER_PROVINCE')).toThrow(
      new ConfigError(
        'CARRIER_PROVINCE',
        '"Hubei" is not a province as admin:<province> roles name it (lower-case ascii letters, e.g. sichuan)',
      ),
    );
  });

  it("reads a peer's address and token file from its variables", () => {
    expect(envPeer({}, 'registry', 'to call the registry')).toEqual({ address: undefined, tokenFile: undefined });
    expect(envPeer({ ADMIN_ADDRESS: 'admin:50052', ADMIN_TOKEN_FILE: '/run/t' }, 'admin', 'to call it')).toEqual({
      address: 'admin:50052',
      tokenFile: '/run/t',
    });
  });

  it('requires the token file in production wherever the address is set', () => {
    const production = { NODE_ENV: 'production', REGISTRY_ADDRESS: 'registry:50051' };
    expect(() => envPeer(production, 'registry', 'to follow the registry')).toThrow(
      'configuration: REGISTRY_TOKEN_FILE: is required in production to follow the registry at REGISTRY_ADDRESS',
    );
    expect(envPeer({ NODE_ENV: 'production' }, 'registry', 'to call the registry').address).toBeUndefined();
    expect(
      envPeer({ REGISTRY_ADDRESS: 'registry:50051' }, 'registry', 'to call the registry').tokenFile,
    ).toBeUndefined();
  });
});
