import { openTestDataSource, type TestDataSource } from '@app/testing';
import { carrierDatabase } from '../src/database';
import { SHARD_ENTRY_CHANNEL, ShardEntries } from '../src/shard/shard-entries';

/**
 * The wait for every shard's row of a log entry (shard_entry), against the real database: PgShardSink's notification
 * wakes it, so it reads the table when a row commits rather than every few milliseconds; a row that comes without
 * one is still found; a wait that is not answered in time, or is cut short by a stop, fails.
 */
describe('ShardEntries (shard_entry, real PostgreSQL)', () => {
  let db: TestDataSource;
  let entries: ShardEntries;

  beforeEach(async () => {
    db = await openTestDataSource(carrierDatabase);
    entries = new ShardEntries(db.dataSource, 2);
  });
  afterEach(async () => {
    entries.close();
    await db.drop();
  });

  /** A shard's row of entry `seq`, committed as the sink commits it: with its notification, unless told. */
  const row = (seq: number, shard: number, notify = true) =>
    db.dataSource.transaction(async (em) => {
      await em.query(`INSERT INTO shard_entry (seq, shard, decisions, outcome) VALUES ($1, $2, $3, $4)`, [
        seq,
        shard,
        shard + 1,
        JSON.stringify({ accepted: 10 }),
      ]);
      if (notify) await em.query('SELECT pg_notify($1, $2)', [SHARD_ENTRY_CHANNEL, String(seq)]);
    });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('answers every shard’s row, in shard order, once the last one commits', async () => {
    const waited = entries.wait(5, 10_000);
    await row(5, 1);
    await pause(50);
    await row(5, 0);
    await expect(waited).resolves.toEqual([
      { shard: 0, decisions: 1, outcome: { accepted: 10 } },
      { shard: 1, decisions: 2, outcome: { accepted: 10 } },
    ]);
  });

  it('reads the table when a row is notified, not every few milliseconds while it waits', async () => {
    const reads = jest.spyOn(db.dataSource, 'query');
    const waited = entries.wait(6, 10_000);
    await pause(600);
    const quiet = reads.mock.calls.filter(([sql]) => String(sql).includes('FROM shard_entry')).length;
    // Polling every 5 ms would have read it about 120 times; the fallback reads it every 100 ms.
    expect(quiet).toBeLessThanOrEqual(15);
    await row(6, 0);
    await row(6, 1);
    await expect(waited).resolves.toHaveLength(2);
    reads.mockRestore();
  });

  it('finds rows that came without a notification, and fails a wait not answered in time or cut short', async () => {
    const waited = entries.wait(7, 10_000);
    await row(7, 0, false);
    await row(7, 1, false);
    await expect(waited).resolves.toHaveLength(2);
    await expect(entries.wait(8, 300)).rejects.toThrow('not every shard made log entry 8 durable within 300 ms');
    const stopped = entries.wait(9, 10_000);
    entries.close();
    await expect(stopped).rejects.toThrow('the carrier is stopping');
  });
});
