import { DataSource } from 'typeorm';
import { Action, ReasonCode, type Decision, type Msisdn } from '@app/domain';
import { dataSourceOptions } from '@app/persistence';
import { openTestDataSource, type TestDataSource } from '@app/testing';
import { carrierDatabase } from '../src/database';
import { decisionId } from '../src/decisions/decision-id';
import { DecisionsRepository } from '../src/decisions/decisions.repository';
import { NoticeSender } from '../src/decisions/notice-sender.service';
import type { SmsGateway, SmsMessage } from '../src/decisions/sms-gateway';

/** A test double of the SMS gateway: records what it accepted, can refuse, and takes a little time like a real one. */
class RecordingGateway implements SmsGateway {
  readonly accepted: SmsMessage[] = [];
  static inFlight = 0;
  static maxInFlight = 0;

  constructor(private readonly refuse: (message: SmsMessage) => boolean = () => false) {}

  async send(message: SmsMessage): Promise<void> {
    RecordingGateway.maxInFlight = Math.max(RecordingGateway.maxInFlight, ++RecordingGateway.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (this.refuse(message)) throw new Error('SMS centre busy');
      this.accepted.push(message);
    } finally {
      RecordingGateway.inFlight--;
    }
  }
}

let serial = 0;
function aWarning(msisdn: string): Decision {
  return {
    at: Date.parse('2024-03-02T10:00:00+08:00') + ++serial * 1000,
    msisdn: msisdn as Msisdn,
    action: Action.Warn,
    previous: Action.None,
    reasons: [ReasonCode.CallBurst],
    score: 0.45,
    policy: 'default@1',
    shadow: false,
    evidence: { summary: 'calls_90m 45 (threshold 40)', windowStart: 0, windowEnd: 0, measures: [], cells: [] },
  };
}

describe('NoticeSender (real PostgreSQL)', () => {
  let db: TestDataSource;
  let repository: DecisionsRepository;

  beforeAll(async () => {
    db = await openTestDataSource(carrierDatabase);
    repository = new DecisionsRepository(db.dataSource);
  });
  afterAll(() => db.drop());

  async function storeNotices(count: number, prefix: string): Promise<string[]> {
    const decisions = Array.from({ length: count }, (_, i) => aWarning(`+86191${prefix}${String(i).padStart(4, '0')}`));
    await db.dataSource.transaction((em) =>
      repository.insertIn(
        em,
        decisions.map((decision) => ({ id: decisionId(decision), decision, notice: `【风险提示】${decision.msisdn}` })),
        [],
      ),
    );
    const rows: { id: string }[] = await db.dataSource.query(
      `SELECT id::text AS id FROM notice WHERE msisdn LIKE $1 ORDER BY id`,
      [`+86191${prefix}%`],
    );
    return rows.map((r) => r.id);
  }

  const unsent = async (): Promise<number> =>
    Number((await db.dataSource.query(`SELECT count(*) AS n FROM notice WHERE sent_at IS NULL`))[0].n);

  it('sends every unsent notice exactly once and marks it sent, with three replicas sending at once', async () => {
    const ids = await storeNotices(150, '1000');
    // Each replica has its own pool, as separate processes would.
    const replicas = await Promise.all(
      [1, 2, 3].map(() =>
        new DataSource(dataSourceOptions(db.url, carrierDatabase, undefined, process.env)).initialize(),
      ),
    );
    try {
      const gateways = replicas.map(() => new RecordingGateway());
      const senders = replicas.map(
        (ds, i) => new NoticeSender(new DecisionsRepository(ds), gateways[i], { batch: 10, intervalMs: 60_000 }),
      );
      RecordingGateway.maxInFlight = 0;
      const counts = await Promise.all(senders.map((s) => s.sendPending()));

      const sent = gateways.flatMap((g) => g.accepted.map((m) => m.noticeId));
      expect(sent.sort()).toEqual([...ids].sort());
      expect(counts.reduce((a, b) => a + b, 0)).toBe(150);
      expect(gateways.filter((g) => g.accepted.length > 0).length).toBeGreaterThan(1);
      expect(RecordingGateway.maxInFlight).toBeGreaterThan(1);
      expect(await unsent()).toBe(0);
      expect(gateways[0].accepted[0]).toMatchObject({
        msisdn: expect.stringMatching(/^\+861911000/),
        text: expect.stringContaining('【风险提示】'),
      });
      // Nothing is left to send: another round sends nothing again.
      expect(await senders[0].sendPending()).toBe(0);
    } finally {
      await Promise.all(replicas.map((ds) => ds.destroy()));
    }
  });

  it('leaves a notice the gateway refused, and the rest of its batch, for the next round', async () => {
    const ids = await storeNotices(5, '2000');
    let refusals = 0;
    const gateway = new RecordingGateway((m) => m.noticeId === ids[2] && refusals++ === 0);
    const sender = new NoticeSender(repository, gateway, { batch: 10, intervalMs: 60_000 });

    expect(await sender.sendPending()).toBe(2);
    const marked: { id: string; sent: boolean }[] = await db.dataSource.query(
      `SELECT id::text AS id, sent_at IS NOT NULL AS sent FROM notice WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [ids],
    );
    expect(marked.map((r) => r.sent)).toEqual([true, true, false, false, false]);

    expect(await sender.sendPending()).toBe(3);
    expect(gateway.accepted.map((m) => m.noticeId)).toEqual(ids);
    expect(await unsent()).toBe(0);
  });

  it('runs one round at a time: a call during a round shares it', async () => {
    await storeNotices(3, '3000');
    const sender = new NoticeSender(repository, new RecordingGateway(), { batch: 10, intervalMs: 60_000 });
    const [first, second] = await Promise.all([sender.sendPending(), sender.sendPending()]);
    expect([first, second]).toEqual([3, 3]);
  });
});
