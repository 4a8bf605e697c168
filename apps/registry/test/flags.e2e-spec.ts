import { status } from '@grpc/grpc-js';
import { grpcError } from '@app/testing';
import { aFlag, numbers, RegistryHarness, type RegistryClient } from './registry-harness';

describe('SubmitFlags and CheckNumbers (registry over gRPC)', () => {
  let registry: RegistryHarness;
  let carrier: RegistryClient;
  let police: RegistryClient;

  beforeAll(async () => {
    registry = await RegistryHarness.start();
    carrier = registry.client('carrier:CTCC');
    police = registry.client('police');
  });
  afterAll(() => registry.close());

  async function count(table: string): Promise<number> {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: registry.db.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
      return rows[0].n as number;
    } finally {
      await client.end();
    }
  }

  it('lists a flagged number as SUSPECTED, readable at once by CheckNumbers', async () => {
    const [msisdn] = numbers(1, 1000);
    const { results } = await carrier.submitFlags({ flags: [aFlag(msisdn)] });
    expect(results).toEqual([
      expect.objectContaining({
        msisdn,
        status: 'NUMBER_STATUS_SUSPECTED',
        replayed: false,
        protectedByClearance: false,
      }),
    ]);
    expect(results[0].version).toBeGreaterThan(0);

    const check = await police.checkNumbers({ msisdns: [msisdn, '19100009999'] });
    expect(check.results).toEqual([
      { msisdn, status: 'NUMBER_STATUS_SUSPECTED', version: results[0].version },
      { msisdn: '+8619100009999', status: 'NUMBER_STATUS_NOT_LISTED', version: 0 },
    ]);
  });

  it('accepts national input and answers in E.164', async () => {
    const { results } = await carrier.submitFlags({ flags: [aFlag('19100001001')] });
    expect(results[0].msisdn).toBe('+8619100001001');
  });

  it('returns the first result for a repeated key and adds nothing', async () => {
    const flag = aFlag(numbers(1, 2000)[0]);
    const first = await carrier.submitFlags({ flags: [flag] });
    const [flags, changes] = [await count('flag'), await count('status_change')];
    const again = await carrier.submitFlags({ flags: [flag] });
    expect(again.results).toEqual([{ ...first.results[0], replayed: true }]);
    expect(await count('flag')).toBe(flags);
    expect(await count('status_change')).toBe(changes);
  });

  it('refuses a reused key with other content, naming it, and changes nothing', async () => {
    const flag = aFlag(numbers(1, 3000)[0]);
    await carrier.submitFlags({ flags: [flag] });
    const fresh = aFlag(numbers(1, 3001)[0]);
    const before = [await count('flag'), await count('status_change'), await count('number_status')];
    await expect(carrier.submitFlags({ flags: [fresh, { ...flag, score: 0.99 }] })).rejects.toMatchObject(
      grpcError(status.ALREADY_EXISTS, 'flags[1].idempotency_key'),
    );
    expect([await count('flag'), await count('status_change'), await count('number_status')]).toEqual(before);
    expect((await police.checkNumbers({ msisdns: [fresh.msisdn] })).results[0].status).toBe('NUMBER_STATUS_NOT_LISTED');
  });

  it('applies a key once when two callers race with it', async () => {
    const flag = aFlag(numbers(1, 3400)[0]);
    const before = await count('flag');
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => registry.client('carrier:CTCC').submitFlags({ flags: [flag] })),
    );
    expect(answers.filter((a) => !a.results[0].replayed)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.results[0].version)).size).toBe(1);
    expect(await count('flag')).toBe(before + 1);
  });

  it('treats a key repeated inside one batch as one flag', async () => {
    const flag = aFlag(numbers(1, 3500)[0]);
    const { results } = await carrier.submitFlags({ flags: [flag, flag] });
    expect(results[1]).toEqual({ ...results[0], replayed: true });
  });

  it('lets two carriers use the same key independently', async () => {
    const [msisdn] = numbers(1, 3600);
    const other = registry.client('carrier:CMCC');
    const a = await carrier.submitFlags({ flags: [aFlag(msisdn, { idempotencyKey: 'shared-key' })] });
    const b = await other.submitFlags({
      flags: [aFlag(msisdn, { idempotencyKey: 'shared-key', source: 'carrier:CMCC' })],
    });
    expect(a.results[0].replayed).toBe(false);
    expect(b.results[0].replayed).toBe(false);
  });

  it('refuses a whole batch for one bad flag, naming its index and field, and writes nothing', async () => {
    const good = numbers(3, 4000);
    const before = [await count('flag'), await count('status_change')];
    await expect(
      carrier.submitFlags({ flags: [aFlag(good[0]), aFlag(good[1]), aFlag('１９１１２３４５６７８'), aFlag(good[2])] }),
    ).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, 'flags[2].msisdn'));
    expect([await count('flag'), await count('status_change')]).toEqual(before);
    const { results } = await police.checkNumbers({ msisdns: good });
    expect(results.map((r) => r.status)).toEqual([
      'NUMBER_STATUS_NOT_LISTED',
      'NUMBER_STATUS_NOT_LISTED',
      'NUMBER_STATUS_NOT_LISTED',
    ]);
  });

  it.each([
    ['letters', { msisdn: '1911234567a' }, 'flags[0].msisdn'],
    ['a short number', { msisdn: '1911234567' }, 'flags[0].msisdn'],
    ['an empty number', { msisdn: '' }, 'flags[0].msisdn'],
    ['an empty key', { idempotencyKey: '' }, 'flags[0].idempotency_key'],
    ['no reason code', { reasonCodes: [] }, 'flags[0].reason_codes'],
    ['a score out of range', { score: 3 }, 'flags[0].score'],
    ['no observation time', { observedAt: undefined }, 'flags[0].observed_at'],
    [
      'a bad cell',
      {
        evidence: {
          summary: 'x',
          measures: [],
          cells: [{ cell: 'abc', activity: 'call', at: undefined }],
          windowStart: undefined,
          windowEnd: undefined,
        },
      },
      'flags[0].evidence.cells[0].cell',
    ],
  ])('refuses %s with INVALID_ARGUMENT naming the field', async (_label, overrides, field) => {
    await expect(carrier.submitFlags({ flags: [aFlag(numbers(1, 5000)[0], overrides)] })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, field),
    );
  });

  it('refuses an empty batch and one over 1,000 flags', async () => {
    await expect(carrier.submitFlags({ flags: [] })).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, 'flags'));
    const tooMany = numbers(1001, 6000).map((n) => aFlag(n));
    await expect(carrier.submitFlags({ flags: tooMany })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'at most 1000 flags'),
    );
  });

  it('refuses a flag in another carrier’s name', async () => {
    await expect(
      carrier.submitFlags({ flags: [aFlag(numbers(1, 7000)[0], { source: 'carrier:CMCC' })] }),
    ).rejects.toMatchObject(grpcError(status.PERMISSION_DENIED, 'flags[0].source'));
  });

  it('takes a full batch of 1,000 in one call', async () => {
    const batch = numbers(1000, 10_000).map((n) => aFlag(n));
    const { results } = await carrier.submitFlags({ flags: batch });
    expect(results).toHaveLength(1000);
    expect(new Set(results.map((r) => r.version)).size).toBe(1000);
  });

  it('checks up to 10,000 numbers in one call and refuses more or bad ones', async () => {
    const many = numbers(10_000, 10_000);
    const { results } = await police.checkNumbers({ msisdns: many });
    expect(results).toHaveLength(10_000);
    expect(results.slice(0, 1000).every((r) => r.status === 'NUMBER_STATUS_SUSPECTED')).toBe(true);
    expect(results.slice(1000).every((r) => r.status === 'NUMBER_STATUS_NOT_LISTED')).toBe(true);
    await expect(police.checkNumbers({ msisdns: numbers(10_001) })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'msisdns'),
    );
    await expect(police.checkNumbers({ msisdns: ['+8619100000001', 'x'] })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'msisdns[1]'),
    );
    await expect(police.checkNumbers({ msisdns: [] })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'msisdns'),
    );
  });

  it('keeps statuses across a restart (the index reloads from the database)', async () => {
    const [msisdn] = numbers(1, 8000);
    const { results } = await carrier.submitFlags({ flags: [aFlag(msisdn)] });
    await registry.stop();
    await registry.boot();
    const fresh = registry.client('police');
    expect((await fresh.checkNumbers({ msisdns: [msisdn] })).results[0]).toEqual({
      msisdn,
      status: 'NUMBER_STATUS_SUSPECTED',
      version: results[0].version,
    });
    carrier = registry.client('carrier:CTCC');
    police = fresh;
  });
});
