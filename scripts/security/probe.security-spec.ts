import { RegistryHarness } from '../../apps/registry/test/registry-harness';
import { bearer, probe } from './probe';

describe('the independent client (C-core gRPC from Python)', () => {
  let registry: RegistryHarness;

  beforeAll(async () => {
    registry = await RegistryHarness.start();
  });
  afterAll(() => registry.close());

  it('calls a service through descriptors built by buf, not by our loader', async () => {
    const [answer, refused] = await probe([
      {
        target: registry.address,
        method: 'fraud.registry.v1.RegistryService/CheckNumbers',
        request: { msisdns: ['19112345678'] },
        metadata: bearer(registry.token('police')),
      },
      {
        target: registry.address,
        method: 'fraud.registry.v1.RegistryService/CheckNumbers',
        request: { msisdns: ['19112345678'] },
      },
    ]);
    expect(answer.code).toBe('OK');
    expect(answer.response).toMatchObject({ results: [{ msisdn: '+8619112345678' }] });
    expect(refused.code).toBe('UNAUTHENTICATED');
  });
});
