import { ConfigError } from '@app/config';
import { adminConfig } from './admin.config';

describe(adminConfig.name, () => {
  it('has defaults for every setting', () => {
    expect(adminConfig({})).toEqual({
      province: 'sichuan',
      httpPort: 8080,
      httpHost: '0.0.0.0',
      registryAddress: undefined,
      registryTokenFile: undefined,
      reviewAfterReports: 1,
      suspendAfterCarriers: 2,
      directiveTtlHours: 72,
      caseSlaHours: 24,
      carriers: ['CMCC', 'CUCC', 'CTCC'],
      reportChromium: '/usr/bin/chromium',
    });
  });

  it('knows the carriers running in the province from CARRIER_IDS, as npm start does', () => {
    expect(adminConfig({ CARRIER_IDS: 'CMCC, CBN' }).carriers).toEqual(['CMCC', 'CBN']);
    expect(() => adminConfig({ CARRIER_IDS: 'CMCC,XYZ' })).toThrow(
      new ConfigError('CARRIER_IDS', '"XYZ" is not one of CMCC, CUCC, CTCC, CBN'),
    );
  });

  it('validates overrides, naming the variable', () => {
    expect(adminConfig({ ADMIN_HTTP_PORT: '9090', GRPC_HOST: '127.0.0.1', CASE_SLA_HOURS: '12' })).toMatchObject({
      httpPort: 9090,
      httpHost: '127.0.0.1',
      caseSlaHours: 12,
    });
    expect(() => adminConfig({ ADMIN_SUSPEND_AFTER_CARRIERS: '5' })).toThrow(
      new ConfigError('ADMIN_SUSPEND_AFTER_CARRIERS', '5 is outside 1..4'),
    );
    expect(adminConfig({ ADMIN_PROVINCE: 'beijing' }).province).toBe('beijing');
    expect(() => adminConfig({ ADMIN_PROVINCE: 'Sichuan' })).toThrow(
      new ConfigError(
        'ADMIN_PROVINCE',
        '"Sichuan" is not a province as admin:<province> roles name it (lower-case ascii letters, e.g. sichuan)',
      ),
    );
  });

  it('needs an issued registry token in production', () => {
    expect(() => adminConfig({ NODE_ENV: 'production', REGISTRY_ADDRESS: 'registry:50051' })).toThrow(
      new ConfigError('REGISTRY_TOKEN_FILE', 'is required in production to follow the registry at REGISTRY_ADDRESS'),
    );
    expect(
      adminConfig({
        NODE_ENV: 'production',
        REGISTRY_ADDRESS: 'registry:50051',
        REGISTRY_TOKEN_FILE: '/run/secrets/token',
      }).registryTokenFile,
    ).toBe('/run/secrets/token');
  });
});
