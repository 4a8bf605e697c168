import { regroupEntryRows, type StoredEntryRow } from './reshard-snapshots';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
const row = (seq: number, shard: number, decisions: number, outcome: StoredEntryRow['outcome'], s = 0) => ({
  seq,
  shard,
  decisions,
  outcome,
  writtenAt: at(s),
});

/** What ShardHost.apply answers from an entry's rows when `owner` keeps the number. */
const answer = (rows: StoredEntryRow[], owner: number) => {
  const ownerRow = rows.find((r) => r.shard === owner) ?? rows[0];
  return {
    ...ownerRow.outcome,
    decisions: rows.flatMap((r) => r.outcome.decisions ?? []),
    evicted: rows.reduce((n, r) => n + (r.outcome.evicted ?? 0), 0),
    decided: rows.reduce((n, r) => n + r.decisions, 0),
  };
};

describe("regroupEntryRows: the old shards' shard_entry rows as the new shards' (re-shard)", () => {
  const batch = { accepted: 5, duplicates: 1, late: [2], future: [] };
  const rows: StoredEntryRow[] = [
    // An event batch: the gate's verdicts on every row, decisions on two shards.
    row(7, 0, 2, batch, 1),
    row(7, 1, 0, batch, 3),
    row(7, 2, 1, batch, 2),
    // A command about a number kept by shard 1 (its row says where it stands), decisions on shards 1 and 2.
    row(8, 0, 0, { decisions: [] }),
    row(8, 1, 1, { decisions: ['d1'], about: { before: 'NONE', after: 'WARN' } }),
    row(8, 2, 1, { decisions: ['d2'] }),
    // An idle eviction: evictions on every shard.
    row(9, 0, 0, { decisions: [], evicted: 3 }),
    row(9, 1, 0, { decisions: [], evicted: 4 }),
    row(9, 2, 0, { decisions: [], evicted: 0 }),
  ];

  it.each([1, 2, 5])('gives each entry one row per new shard (%i), answering as the old rows did', (to) => {
    const regrouped = regroupEntryRows(rows, to);
    for (const seq of [7, 8, 9]) {
      const old = rows.filter((r) => r.seq === seq);
      const now = regrouped.filter((r) => r.seq === seq);
      expect(now.map((r) => r.shard)).toEqual([...Array(to).keys()]);
      // The old owner (1 for the number of entry 8, else 0) and any new owner get the same answer.
      const expected = answer(old, seq === 8 ? 1 : 0);
      for (let owner = 0; owner < to; owner++) expect(answer(now, owner)).toEqual(expected);
      expect(now.every((r) => r.writtenAt.getTime() === Math.max(...old.map((o) => o.writtenAt.getTime())))).toBe(true);
    }
    // A batch's outcome is the gate's, on every row; only shard 0's row counts the decisions.
    expect(regrouped.filter((r) => r.seq === 7).map((r) => [r.decisions, r.outcome])).toEqual(
      [...Array(to).keys()].map((k) => [k === 0 ? 3 : 0, batch]),
    );
  });

  it('keeps an outcome without decisions or evictions without them', () => {
    const [first] = regroupEntryRows([row(1, 0, 0, { about: { before: 'NONE', after: 'NONE' } })], 2);
    expect(first.outcome).toEqual({ about: { before: 'NONE', after: 'NONE' } });
  });
});
