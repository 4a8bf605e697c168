import { status } from '@grpc/grpc-js';
import { grpcError } from '@app/testing';
import { aFlag, collectChanges, numbers, RegistryHarness } from './registry-harness';

describe('WatchChanges (registry over gRPC)', () => {
  let registry: RegistryHarness;

  beforeAll(async () => {
    registry = await RegistryHarness.start();
  });
  afterAll(() => registry.close());

  it('streams each change once, in version order, under concurrent writers; resumes from any version', async () => {
    const writers = 8;
    const batchesPerWriter = 12;
    const perBatch = 25;
    const total = writers * batchesPerWriter * perBatch;
    const watcher = registry.client('carrier:CMCC');
    // A live follower from the start, and writers that commit in an interleaved order.
    const live = collectChanges(watcher, 0, total, 60_000);
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const client = registry.client(w % 2 ? 'carrier:CTCC' : 'admin:sichuan');
        const source = w % 2 ? 'carrier:CTCC' : 'admin';
        for (let b = 0; b < batchesPerWriter; b++) {
          const batch = numbers(perBatch, (w * batchesPerWriter + b) * perBatch).map((n) => aFlag(n, { source }));
          await client.submitFlags({ flags: batch });
        }
      }),
    );
    const changes = await live;
    expect(changes.map((c) => c.version)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(changes.map((c) => c.msisdn)).size).toBe(total);
    expect(
      changes.every(
        (c) =>
          c.status === 'NUMBER_STATUS_SUSPECTED' &&
          c.previousStatus === 'NUMBER_STATUS_NOT_LISTED' &&
          c.cause === 'CHANGE_CAUSE_FLAG',
      ),
    ).toBe(true);

    // Resume from the middle: exactly the rest. After a restart nothing is in memory,
    // so this reads the database.
    await registry.stop();
    await registry.boot();
    const resumed = await collectChanges(registry.client('admin:sichuan'), 1234, total - 1234);
    expect(resumed.map((c) => c.version)).toEqual(Array.from({ length: total - 1234 }, (_, i) => i + 1235));
    expect(resumed).toEqual(changes.slice(1234));
  });

  it('waits at the head and delivers later changes live', async () => {
    const watcher = registry.client('carrier:CUCC');
    const head = (await registry.client('police').checkNumbers({ msisdns: numbers(1, 0) })).results[0].version;
    expect(head).toBeGreaterThan(0);
    const { results: latest } = await registry
      .client('carrier:CTCC')
      .submitFlags({ flags: [aFlag(numbers(1, 900_000)[0])] });
    const next = collectChanges(watcher, latest[0].version - 1, 2);
    await registry.client('carrier:CTCC').submitFlags({ flags: [aFlag(numbers(1, 900_001)[0])] });
    const changes = await next;
    expect(changes.map((c) => c.version)).toEqual([latest[0].version, latest[0].version + 1]);
    expect(changes[1].msisdn).toBe(numbers(1, 900_001)[0]);
  });

  it('refuses a negative version and callers without the role', async () => {
    await expect(collectChanges(registry.client('carrier:CMCC'), -1, 1)).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'since_version'),
    );
    await expect(collectChanges(registry.client('analyst'), 0, 1)).rejects.toMatchObject(
      grpcError(status.PERMISSION_DENIED),
    );
    await expect(collectChanges(registry.client(), 0, 1)).rejects.toMatchObject(grpcError(status.UNAUTHENTICATED));
  });
});
