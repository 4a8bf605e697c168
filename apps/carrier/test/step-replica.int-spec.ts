import { Action, AnalysisEngine, DEFAULT_POLICY_V4, judgeCall, msisdnKey, toSec, type Msisdn } from '@app/domain';
import { eventually, openTestDataSource, type TestDataSource } from '@app/testing';
import { carrierDatabase } from '../src/database';
import { ReplicaCallView, StepReplica } from '../src/shard/step-replica';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const A = '+8613800000001' as Msisdn;
const B = '+8613800000002' as Msisdn;
const C = '+8613800000003' as Msisdn;
const D = '+8613800000004' as Msisdn;
const OLD = '+8613800000005' as Msisdn;
const STRANGER = '+8613900000009' as Msisdn;

/**
 * The copy of every number's step that each shard process follows for call setup (number_step, written by each
 * shard's sink in log order), against the real database: what is stored is what is read, steps lapse by the ladder's
 * rule, later rows are followed, a shard's rewrite of an older entry changes nothing, and a verdict that needs the
 * caller's contacts says so instead of guessing.
 */
describe('StepReplica (number_step, real PostgreSQL)', () => {
  let db: TestDataSource;
  let replica: StepReplica;

  beforeEach(async () => {
    db = await openTestDataSource(carrierDatabase);
  });
  afterEach(async () => {
    await replica?.stop();
    await db.drop();
  });

  const write = (
    msisdn: string,
    shard: number,
    seq: number,
    level: Action,
    since: number,
    termEnds?: number,
    contacts?: [Msisdn, number][],
  ) =>
    db.dataSource.query(
      `INSERT INTO number_step (msisdn, shard, seq, level, since_ms, term_ends_ms, contacts)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (msisdn) DO UPDATE SET shard = excluded.shard, seq = excluded.seq, level = excluded.level,
         since_ms = excluded.since_ms, term_ends_ms = excluded.term_ends_ms, contacts = excluded.contacts
       WHERE number_step.seq <= excluded.seq`,
      [
        msisdn,
        shard,
        seq,
        level,
        since,
        termEnds ?? null,
        contacts ? JSON.stringify(contacts.map(([peer, at]) => [msisdnKey(peer), toSec(at)])) : null,
      ],
    );
  const quiet = 7 * DAY;

  it('reads the stored steps, lapses them by the ladder’s rule, and follows each shard’s later rows', async () => {
    await write(A, 0, 5, Action.Restrict, T0, T0 + 72 * HOUR);
    await write(B, 1, 3, Action.Warn, T0);
    replica = new StepReplica(db.dataSource);
    await replica.start();

    expect(replica.levelOf(A, T0 + HOUR, false, quiet)).toBe(Action.Restrict);
    // The term ended: WARN from its end, unless the police confirmed the number; then quiet resets it.
    expect(replica.levelOf(A, T0 + 73 * HOUR, false, quiet)).toBe(Action.Warn);
    expect(replica.levelOf(A, T0 + 73 * HOUR, true, quiet)).toBe(Action.Restrict);
    expect(replica.levelOf(A, T0 + 72 * HOUR + 8 * DAY, false, quiet)).toBe(Action.None);
    expect(replica.levelOf(B, T0 + DAY, false, quiet)).toBe(Action.Warn);
    expect(replica.levelOf(C, T0, false, quiet)).toBe(Action.None);

    // Shard 1 moves on (B suspended, C warned), shard 0 restores A.
    await write(B, 1, 4, Action.Suspend, T0 + DAY);
    await write(C, 1, 4, Action.Warn, T0 + DAY);
    await write(A, 0, 9, Action.None, T0 + DAY);
    const at = T0 + DAY + HOUR;
    expect(
      await eventually(
        async () => replica.levelOf(B, at, false, quiet),
        (l) => l === Action.Suspend,
      ),
    ).toBe(Action.Suspend);
    expect(
      await eventually(
        async () => replica.levelOf(A, at, false, quiet),
        (l) => l === Action.None,
      ),
    ).toBe(Action.None);
    expect(replica.levelOf(C, at, false, quiet)).toBe(Action.Warn);

    // A shard restarted from a snapshot writes an older entry again: the newer row stays.
    await write(B, 1, 3, Action.Warn, T0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(replica.levelOf(B, at, false, quiet)).toBe(Action.Suspend);
  });

  it('judges callers from the copy, their contacts included, and says when it has not got them', async () => {
    await write(A, 0, 1, Action.Restrict, T0, T0 + 72 * HOUR, [
      [C, T0 - 2 * DAY],
      [OLD, T0 - 31 * DAY],
    ]);
    await write(B, 0, 1, Action.Suspend, T0);
    await write(D, 1, 1, Action.Restrict, T0, T0 + 72 * HOUR);
    replica = new StepReplica(db.dataSource);
    await replica.start();
    const local = new AnalysisEngine({ policy: DEFAULT_POLICY_V4 });
    const view = new ReplicaCallView(local, replica);
    const judge = (caller: Msisdn, callee: string) => {
      view.contactsAsked = false;
      const answer = judgeCall(view, caller, callee, T0 + HOUR);
      return { verdict: answer.verdict, contacts: view.contactsAsked };
    };
    // Suspended: blocked, essentials still allowed, without any contact.
    expect(judge(B, STRANGER)).toEqual({ verdict: 'BLOCK', contacts: false });
    expect(judge(B, '110')).toEqual({ verdict: 'ALLOW', contacts: false });
    // Restricted: a known contact of the last 30 days goes through, a stranger does not, from the copy.
    expect(judge(A, C)).toEqual({ verdict: 'ALLOW', contacts: false });
    expect(judge(A, STRANGER)).toEqual({ verdict: 'BLOCK', contacts: false });
    // A contact older than 30 days is a stranger again.
    expect(judge(A, OLD)).toEqual({ verdict: 'BLOCK', contacts: false });
    // A restricted number whose contacts were not written: the verdict is its owner's to give.
    expect(judge(D, STRANGER).contacts).toBe(true);
    // Nothing on record: allowed from the copy.
    expect(judge(C, STRANGER)).toEqual({ verdict: 'ALLOW', contacts: false });
  });
});
