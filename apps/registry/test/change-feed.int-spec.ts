import { RegistryStatus } from '@app/domain';
import { openTestDataSource, type TestDataSource } from '@app/testing';
import { registryDatabase } from '../src/database';
import { ChangeFeed } from '../src/numbers/change-feed.service';
import { NumbersRepository, type NewStatusChange } from '../src/numbers/numbers.repository';

const change = (msisdn: string): NewStatusChange => ({
  msisdn,
  status: RegistryStatus.Suspected,
  previousStatus: RegistryStatus.NotListed,
  cause: 'FLAG',
  changedAt: new Date(),
  clearedAt: null,
});

describe('the change feed counter (real PostgreSQL)', () => {
  let db: TestDataSource;
  let numbers: NumbersRepository;

  beforeAll(async () => {
    db = await openTestDataSource(registryDatabase);
    numbers = new NumbersRepository(db.dataSource);
  });
  afterAll(() => db.drop());

  it('never lets a later version become visible before an earlier one commits', async () => {
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstNumbered!: () => void;
    const firstHasVersion = new Promise<void>((resolve) => (firstNumbered = resolve));

    // T1 takes version 1 and stays open; T2 must wait for it rather than commit version 2 first.
    const first = db.dataSource.transaction(async (em) => {
      await numbers.lockStates(em, ['+8619100000001']);
      const [c] = await numbers.recordChanges(em, [change('+8619100000001')]);
      firstNumbered();
      await firstHolds;
      return c.version;
    });
    await firstHasVersion;
    let secondDone = false;
    const second = db.dataSource
      .transaction(async (em) => {
        await numbers.lockStates(em, ['+8619100000002']);
        const [c] = await numbers.recordChanges(em, [change('+8619100000002')]);
        return c.version;
      })
      .then((v) => {
        secondDone = true;
        return v;
      });

    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(secondDone).toBe(false);
    expect(await numbers.changesAfter(0, 10)).toEqual([]);

    releaseFirst();
    expect(await first).toBe(1);
    expect(await second).toBe(2);
    expect((await numbers.changesAfter(0, 10)).map((c) => [c.version, c.msisdn])).toEqual([
      [1, '+8619100000001'],
      [2, '+8619100000002'],
    ]);
  });

  it('reads a consistent snapshot: statuses as of the head version', async () => {
    const seen: string[] = [];
    const head = await numbers.snapshot((rows) => seen.push(...rows.map((r) => `${r.msisdn}@${r.version}`)));
    expect(head).toBe(2);
    expect(seen).toEqual(['+8619100000001@1', '+8619100000002@2']);
  });

  it('follows the feed on a connection of its own when a transaction starts the read', async () => {
    const feed = new ChangeFeed(numbers, db.dataSource);
    let read: Promise<void> | undefined;
    await db.dataSource.transaction(async (em) => {
      // A read every waiting caller shares: it is not part of the transaction that happened to start it.
      read = feed.poll();
      await em.query('SELECT 1');
    });
    await read;
    expect(feed.version).toBe(2);
  });
});
