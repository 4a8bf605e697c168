import { aFlag, RegistryHarness } from '../../registry/test/registry-harness';
import { AdminHarness } from './admin-harness';

/** LookupNumber shows the registry's status beside the carriers' steps: CONFIRMED is what no carrier can restore. */
describe('LookupNumber with the registry: its status beside the carriers’ decisions (e2e)', () => {
  let registry: RegistryHarness;
  let admin: AdminHarness;

  beforeAll(async () => {
    registry = await RegistryHarness.start();
    admin = await AdminHarness.start({ keyDir: registry.keyDir, env: { REGISTRY_ADDRESS: registry.address } });
  });
  afterAll(async () => {
    await admin.close();
    await registry.close();
  });

  const lookUp = (msisdn: string) =>
    admin.client('police', 'officer-0427').lookupNumber({ msisdn, purpose: 'case CD-2024-0200' });

  it('gRPC and HTTP answer CONFIRMED if the police confirmed, SUSPECTED if flagged, NOT_LISTED otherwise', async () => {
    const confirmed = '+8619100000041';
    const flagged = '+8619100000042';
    await registry.client('carrier:CTCC').submitFlags({ flags: [aFlag(confirmed), aFlag(flagged)] });
    await registry.client('police', 'officer-0427').verifyNumber({
      idempotencyKey: 'confirm-41',
      msisdn: confirmed,
      outcome: 'VERIFICATION_OUTCOME_CONFIRMED' as never,
      caseId: 'CD-2024-0200',
      note: 'victims confirmed',
    });

    expect((await lookUp(confirmed)).registryStatus).toBe('NUMBER_STATUS_CONFIRMED');
    expect((await lookUp(flagged)).registryStatus).toBe('NUMBER_STATUS_SUSPECTED');
    expect((await lookUp('19100000043')).registryStatus).toBe('NUMBER_STATUS_NOT_LISTED');
    const { status, body } = await admin.get<{ msisdn: string; registryStatus: string }>(
      `/api/numbers/19100000041?purpose=${encodeURIComponent('complaint 2024-200')}`,
      'analyst',
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ msisdn: confirmed, registryStatus: 'NUMBER_STATUS_CONFIRMED' });
  });

  it('still answers the look-up when the registry is down, without its status', async () => {
    await registry.stop();
    try {
      const answer = await lookUp('+8619100000041');
      expect(answer).toMatchObject({
        msisdn: '+8619100000041',
        registryStatus: 'NUMBER_STATUS_UNSPECIFIED',
        decisions: [],
      });
    } finally {
      await registry.boot();
    }
  });
});
