import { ConfigError } from '@app/config';
import { CARRIER_IDS } from '@app/domain';
import { CARRIER_DEFAULT_PORTS, carrierConfig } from './carrier.config';

describe(carrierConfig.name, () => {
  it('serves the carrier named by CARRIER_ID on its own default port', () => {
    expect(carrierConfig({ CARRIER_ID: 'CMCC' })).toMatchObject({ carrierId: 'CMCC', defaultPort: 50061 });
    expect(carrierConfig({ CARRIER_ID: 'CUCC' })).toMatchObject({ carrierId: 'CUCC', defaultPort: 50062 });
    expect(carrierConfig({ CARRIER_ID: 'CTCC' })).toMatchObject({ carrierId: 'CTCC', defaultPort: 50063 });
    expect(carrierConfig({ CARRIER_ID: 'CBN' })).toMatchObject({ carrierId: 'CBN', defaultPort: 50064 });
  });

  it('gives every carrier a distinct port', () => {
    expect(new Set(CARRIER_IDS.map((id) => CARRIER_DEFAULT_PORTS[id])).size).toBe(CARRIER_IDS.length);
  });

  it('has defaults for the analysis and the links, and validates overrides', () => {
    expect(carrierConfig({ CARRIER_ID: 'CTCC' })).toEqual({
      carrierId: 'CTCC',
      province: 'sichuan',
      defaultPort: 50063,
      defaultMetricsPort: 9473,
      latenessMs: 300_000,
      maxAheadMs: 120_000,
      idleEvictionMs: 168 * 3_600_000,
      snapshotIntervalMs: 300_000,
      registryAddress: undefined,
      outboxBatch: 500,
      outboxIntervalMs: 200,
      outboxRetentionDays: 30,
      registryTokenFile: undefined,
      registryRetryMaxMs: 5000,
      adminAddress: undefined,
      adminTokenFile: undefined,
      adminRetryMaxMs: 5000,
    });
    expect(
      carrierConfig({ CARRIER_ID: 'CTCC', EVENT_LATENESS_SEC: '60', REGISTRY_ADDRESS: 'registry:50051' }),
    ).toMatchObject({ latenessMs: 60_000, registryAddress: 'registry:50051' });
    expect(carrierConfig({ CARRIER_ID: 'CTCC', EVENT_MAX_AHEAD_SEC: '10' })).toMatchObject({ maxAheadMs: 10_000 });
    expect(() => carrierConfig({ CARRIER_ID: 'CTCC', EVENT_MAX_AHEAD_SEC: '86400' })).toThrow(
      new ConfigError('EVENT_MAX_AHEAD_SEC', '86400 is outside 0..3600'),
    );
    expect(() => carrierConfig({ CARRIER_ID: 'CTCC', OUTBOX_BATCH: '5000' })).toThrow(
      new ConfigError('OUTBOX_BATCH', '5000 is outside 1..1000'),
    );
    expect(
      carrierConfig({
        CARRIER_ID: 'CTCC',
        REGISTRY_TOKEN_FILE: '/run/secrets/registry.token',
        REGISTRY_RETRY_MAX_MS: '30000',
      }),
    ).toMatchObject({
      registryTokenFile: '/run/secrets/registry.token',
      registryRetryMaxMs: 30_000,
    });
    expect(() => carrierConfig({ CARRIER_ID: 'CTCC', REGISTRY_RETRY_MAX_MS: '10' })).toThrow(
      new ConfigError('REGISTRY_RETRY_MAX_MS', '10 is outside 100..600000'),
    );
    expect(
      carrierConfig({
        CARRIER_ID: 'CTCC',
        ADMIN_ADDRESS: 'admin:50052',
        ADMIN_TOKEN_FILE: '/run/secrets/admin.token',
        ADMIN_RETRY_MAX_MS: '2000',
      }),
    ).toMatchObject({
      adminAddress: 'admin:50052',
      adminTokenFile: '/run/secrets/admin.token',
      adminRetryMaxMs: 2000,
    });
    expect(() => carrierConfig({ CARRIER_ID: 'CTCC', ADMIN_RETRY_MAX_MS: '0' })).toThrow(
      new ConfigError('ADMIN_RETRY_MAX_MS', '0 is outside 100..600000'),
    );
  });

  it('serves one province, CARRIER_PROVINCE, spelled as admin:<province> roles spell it', () => {
    expect(carrierConfig({ CARRIER_ID: 'CTCC', CARRIER_PROVINCE: 'beijing' }).province).toBe('beijing');
    expect(() => carrierConfig({ CARRIER_ID: 'CTCC', CARRIER_PROVINCE: 'Bei Jing' })).toThrow(
      new ConfigError(
        'CARRIER_PROVINCE',
        '"Bei Jing" is not a province as admin:<province> roles name it (lower-case ascii letters, e.g. sichuan)',
      ),
    );
  });

  it('needs a token file per service it calls in production, where no token is minted', () => {
    const production = { CARRIER_ID: 'CTCC', NODE_ENV: 'production', REGISTRY_ADDRESS: 'registry:50051' };
    expect(() => carrierConfig(production)).toThrow(
      new ConfigError('REGISTRY_TOKEN_FILE', 'is required in production to call the registry at REGISTRY_ADDRESS'),
    );
    expect(carrierConfig({ ...production, REGISTRY_TOKEN_FILE: '/run/secrets/registry.token' }).registryTokenFile).toBe(
      '/run/secrets/registry.token',
    );
    expect(carrierConfig({ CARRIER_ID: 'CTCC', NODE_ENV: 'production' }).registryAddress).toBeUndefined();
    const toAdmin = { CARRIER_ID: 'CTCC', NODE_ENV: 'production', ADMIN_ADDRESS: 'admin:50052' };
    expect(() => carrierConfig(toAdmin)).toThrow(
      new ConfigError('ADMIN_TOKEN_FILE', 'is required in production to call the administration at ADMIN_ADDRESS'),
    );
    expect(carrierConfig({ ...toAdmin, ADMIN_TOKEN_FILE: '/run/secrets/admin.token' }).adminTokenFile).toBe(
      '/run/secrets/admin.token',
    );
  });

  it('refuses a missing or unknown CARRIER_ID, naming the variable and the choices', () => {
    expect(() => carrierConfig({})).toThrow(
      new ConfigError('CARRIER_ID', 'is required (one of CMCC, CUCC, CTCC, CBN)'),
    );
    expect(() => carrierConfig({ CARRIER_ID: 'cmcc' })).toThrow(
      new ConfigError('CARRIER_ID', '"cmcc" is not one of CMCC, CUCC, CTCC, CBN'),
    );
  });
});
