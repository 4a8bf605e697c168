import { status } from '@grpc/grpc-js';
import { grpcError } from '@app/testing';
import { aFlag, collectChanges, numbers, RegistryHarness, type RegistryClient } from './registry-harness';

const seconds = (date: Date) => ({
  seconds: Math.floor(date.getTime() / 1000),
  nanos: (date.getTime() % 1000) * 1_000_000,
});

describe('VerifyNumber and clearance protection (registry over gRPC)', () => {
  let registry: RegistryHarness;
  let carrier: RegistryClient;
  let police: RegistryClient;

  beforeAll(async () => {
    registry = await RegistryHarness.start();
    carrier = registry.client('carrier:CTCC');
    police = registry.client('police', 'officer-0427');
  });
  afterAll(() => registry.close());

  const clear = (msisdn: string, key = `clear-${msisdn}`) =>
    police.verifyNumber({
      idempotencyKey: key,
      msisdn,
      outcome: 'VERIFICATION_OUTCOME_CLEARED' as never,
      caseId: 'CD-2024-0117',
      note: 'courier, employer confirmed',
    });

  it('makes a clearance stick against the evidence it cleared, but not against new evidence', async () => {
    const [msisdn] = numbers(1, 100);
    const before = new Date(Date.now() - 3_600_000);
    await carrier.submitFlags({ flags: [aFlag(msisdn, { observedAt: seconds(before) })] });
    const cleared = await clear(msisdn);
    expect(cleared).toMatchObject({ msisdn, status: 'NUMBER_STATUS_CLEARED', replayed: false });

    // The same rule, fed the same (old) calls again the next day: still cleared.
    const replayed = await carrier.submitFlags({
      flags: [aFlag(msisdn, { observedAt: seconds(new Date(before.getTime() + 60_000)) })],
    });
    expect(replayed.results[0]).toMatchObject({
      status: 'NUMBER_STATUS_CLEARED',
      protectedByClearance: true,
      version: cleared.version,
    });
    expect((await police.checkNumbers({ msisdns: [msisdn] })).results[0].status).toBe('NUMBER_STATUS_CLEARED');

    // Evidence observed entirely after the clearance can list it again.
    const later = new Date(Date.now() + 2_000);
    const fresh = await carrier.submitFlags({
      flags: [
        aFlag(msisdn, {
          observedAt: seconds(later),
          evidence: {
            summary: 'new burst',
            measures: [],
            cells: [],
            windowStart: seconds(new Date(later.getTime() - 1000)),
            windowEnd: seconds(later),
          },
        }),
      ],
    });
    expect(fresh.results[0]).toMatchObject({ status: 'NUMBER_STATUS_SUSPECTED', protectedByClearance: false });
    expect(fresh.results[0].version).toBeGreaterThan(cleared.version);
  });

  it('protects against evidence whose window began before the clearance', async () => {
    const [msisdn] = numbers(1, 200);
    await carrier.submitFlags({ flags: [aFlag(msisdn)] });
    await clear(msisdn);
    const later = new Date(Date.now() + 2_000);
    const spanning = await carrier.submitFlags({
      flags: [
        aFlag(msisdn, {
          observedAt: seconds(later),
          evidence: {
            summary: '7-day window',
            measures: [],
            cells: [],
            windowStart: seconds(new Date(Date.now() - 86_400_000)),
            windowEnd: seconds(later),
          },
        }),
      ],
    });
    expect(spanning.results[0]).toMatchObject({ status: 'NUMBER_STATUS_CLEARED', protectedByClearance: true });
  });

  it('confirms fraud, and refuses illegal transitions with FAILED_PRECONDITION', async () => {
    const [suspect, never] = numbers(2, 300);
    await carrier.submitFlags({ flags: [aFlag(suspect)] });
    const confirmed = await police.verifyNumber({
      idempotencyKey: 'confirm-1',
      msisdn: suspect,
      outcome: 'VERIFICATION_OUTCOME_CONFIRMED' as never,
      caseId: 'CD-2024-0200',
      note: '',
    });
    expect(confirmed.status).toBe('NUMBER_STATUS_CONFIRMED');
    await expect(
      police.verifyNumber({
        idempotencyKey: 'confirm-2',
        msisdn: suspect,
        outcome: 'VERIFICATION_OUTCOME_CONFIRMED' as never,
        caseId: 'CD-2024-0200',
      }),
    ).rejects.toMatchObject(grpcError(status.FAILED_PRECONDITION, 'already CONFIRMED'));
    await expect(clear(never)).rejects.toMatchObject(grpcError(status.FAILED_PRECONDITION, 'not listed'));
    // A flag does not downgrade a confirmation.
    const flagged = await carrier.submitFlags({ flags: [aFlag(suspect)] });
    expect(flagged.results[0].status).toBe('NUMBER_STATUS_CONFIRMED');
  });

  it('is idempotent by key: a retry returns the first result, another content is refused', async () => {
    const [msisdn] = numbers(1, 400);
    await carrier.submitFlags({ flags: [aFlag(msisdn)] });
    const first = await clear(msisdn, 'retry-key');
    expect(await clear(msisdn, 'retry-key')).toEqual({ ...first, replayed: true });
    await expect(
      police.verifyNumber({
        idempotencyKey: 'retry-key',
        msisdn,
        outcome: 'VERIFICATION_OUTCOME_CONFIRMED' as never,
        caseId: 'CD-2024-0117',
      }),
    ).rejects.toMatchObject(grpcError(status.ALREADY_EXISTS, 'idempotency_key'));
  });

  it.each([
    ['no case id', { caseId: '' }, 'case_id'],
    ['no outcome', { outcome: 'VERIFICATION_OUTCOME_UNSPECIFIED' }, 'outcome'],
    ['a full-width number', { msisdn: '１９１００００００４０' }, 'msisdn'],
    ['no key', { idempotencyKey: '' }, 'idempotency_key'],
  ])('refuses %s with INVALID_ARGUMENT naming the field', async (_label, overrides, field) => {
    const request = {
      idempotencyKey: 'k-bad',
      msisdn: numbers(1, 500)[0],
      outcome: 'VERIFICATION_OUTCOME_CLEARED',
      caseId: 'CD-1',
      note: '',
      ...overrides,
    };
    await expect(police.verifyNumber(request as never)).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, field),
    );
  });

  it('announces verifications on the change feed', async () => {
    const [msisdn] = numbers(1, 600);
    const { results } = await carrier.submitFlags({ flags: [aFlag(msisdn)] });
    const cleared = await clear(msisdn);
    const [change] = await collectChanges(registry.client('carrier:CMCC'), results[0].version, 1);
    expect(change).toMatchObject({
      version: cleared.version,
      msisdn,
      status: 'NUMBER_STATUS_CLEARED',
      previousStatus: 'NUMBER_STATUS_SUSPECTED',
      cause: 'CHANGE_CAUSE_VERIFICATION',
    });
  });
});
