import { Action, ReasonCode, type Decision, type Msisdn } from '@app/domain';
import { openTestDataSource, type TestDataSource } from '@app/testing';
import { carrierDatabase } from '../src/database';
import { decisionId } from '../src/decisions/decision-id';
import { DecisionsRepository, type StoredDecision } from '../src/decisions/decisions.repository';

const T = Date.parse('2024-03-02T10:00:00+08:00');

function aDecision(msisdn: string, at: number, action: Action, shadow = false): Decision {
  return {
    at,
    msisdn: msisdn as Msisdn,
    action,
    previous: Action.None,
    reasons: [ReasonCode.CallBurst],
    score: 0.5,
    policy: shadow ? 'naive@1' : 'default@1',
    shadow,
    evidence: { summary: '', windowStart: at - 600_000, windowEnd: at, measures: [], cells: [] },
  };
}

describe('DecisionsRepository listings (real PostgreSQL)', () => {
  let db: TestDataSource;
  let repository: DecisionsRepository;

  beforeAll(async () => {
    db = await openTestDataSource(carrierDatabase);
    repository = new DecisionsRepository(db.dataSource);
    // Several decisions at one instant (numbers decided by the same event time), a shadow one, and an older one.
    const decisions = [
      ...['+8619100000001', '+8619100000002', '+8619100000003', '+8619100000004'].map((m) =>
        aDecision(m, T, Action.Warn),
      ),
      aDecision('+8619100000001', T, Action.Suspend, true),
      aDecision('+8619100000001', T - 60_000, Action.Monitor),
      aDecision('+8619100000002', T + 60_000, Action.Restrict),
    ];
    await db.dataSource.transaction((em) =>
      repository.insertIn(
        em,
        decisions.map((decision) => ({ id: decisionId(decision), decision })),
        [],
      ),
    );
  });
  afterAll(() => db.drop());

  async function allPages(filter: Parameters<DecisionsRepository['page']>[0], size: number): Promise<StoredDecision[]> {
    const seen: StoredDecision[] = [];
    for (;;) {
      const page = await repository.page(filter, size);
      seen.push(...page);
      if (page.length < size) return seen;
      const last = page[page.length - 1];
      filter = { ...filter, after: { at: last.at, id: last.id } };
    }
  }

  it('orders newest first, ties by id, and pages through ties with nothing lost or repeated', async () => {
    const all = await repository.page({ includeShadow: true }, 100);
    expect(all.map((d) => d.at.getTime())).toEqual([T + 60_000, T, T, T, T, T, T - 60_000]);
    const tied = all.slice(1, 6).map((d) => d.id);
    expect(tied).toEqual([...tied].sort());
    for (const size of [1, 2, 3]) expect(await allPages({ includeShadow: true }, size)).toEqual(all);
  });

  it('leaves shadow decisions out unless asked, and filters by number and time', async () => {
    expect((await repository.page({ includeShadow: false }, 100)).some((d) => d.shadow)).toBe(false);
    expect(await repository.page({ includeShadow: false }, 100)).toHaveLength(6);
    const own = await repository.page({ includeShadow: true, msisdn: '+8619100000001' }, 100);
    expect(own.map((d) => d.msisdn)).toEqual(['+8619100000001', '+8619100000001', '+8619100000001']);
    expect(
      own
        .map((d) => `${d.action}${d.shadow ? ' (shadow)' : ''}`)
        .slice(0, 2)
        .sort(),
    ).toEqual(['SUSPEND (shadow)', 'WARN']);
    expect(own[2]).toMatchObject({ action: Action.Monitor, at: new Date(T - 60_000) });
    expect(
      (await repository.page({ includeShadow: false, since: new Date(T) }, 100)).every((d) => d.at.getTime() >= T),
    ).toBe(true);
    expect(await repository.page({ includeShadow: false, since: new Date(T + 60_001) }, 100)).toEqual([]);
  });
});
