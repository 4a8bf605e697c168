import type { carrier } from '@app/contracts';
import { DEFAULT_POLICY, type CarrierEvent } from '@app/domain';
import { fakeCourier } from '../../../libs/domain/src/carrier/fixtures';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';

const HOUR = 3_600_000;
const ms = (t: { seconds: number; nanos: number } | undefined) =>
  Number(t?.seconds) * 1000 + Math.floor(Number(t?.nanos) / 1e6);

/** `default` with terms: a restriction stands 72 h, a suspension 30 days, each renewed at most 3 times. */
const TERMS_POLICY = {
  ...DEFAULT_POLICY,
  name: 'terms',
  version: 1,
  terms: { restrictHours: 72, suspendDays: 30, maxRenewals: 3 },
};

/**
 * The fixture moved to end `hoursAgo` hours ago (Explain reads the term as of the service's clock); `round` > 0 calls
 * people the courier never called.
 */
function recent(events: CarrierEvent[], hoursAgo: number, round = 0): CarrierEvent[] {
  const last = Math.max(...events.filter((e) => e.type === 'call').map((e) => e.at));
  const shift = Date.now() - hoursAgo * HOUR - last;
  const callee = (msisdn: string) => msisdn.replace('1370015', `13${70 + round}015`) as never;
  return events
    .filter((e) => e.type !== 'high_risk_cell' && (round === 0 || e.type === 'call'))
    .map((e) =>
      e.type === 'subscriber'
        ? { ...e, at: e.at + shift, activatedAt: e.activatedAt + shift }
        : e.type === 'call'
          ? { ...e, at: e.at + shift, callee: callee(e.callee) }
          : { ...e, at: e.at + shift },
    );
}

describe('terms of a restriction (carrier over gRPC)', () => {
  let carrier: CarrierHarness;
  let ops: CarrierClient;
  let police: CarrierClient;
  const courier = fakeCourier();

  function connect(): void {
    ops = carrier.client('carrier:CTCC', 'ops-li');
    police = carrier.client('police', 'officer-0427');
  }

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    connect();
    await ops.putPolicy({ document: JSON.stringify(TERMS_POLICY) });
    await ops.setPolicy({ policy: 'terms@1', mode: 'POLICY_MODE_ACTIVE' as never, reason: 'terms that lapse' });
    // A round of calls restricts the courier 42 h ago; a new round an hour ago, in the second half of the 72 h term,
    // renews it.
    await ingest(ops, toWire(recent(courier.events, 42), 200, 'courier'));
    await ingest(ops, toWire(recent(courier.events, 1, 1), 200, 'courier-again'));
  });
  afterAll(() => carrier.close());

  const explain = () => police.explainNumber({ msisdn: courier.subject, purpose: 'customer call 2024-0311' });

  function expectTerm(answer: carrier.ExplainNumberResponse): number {
    const [latest] = answer.decisions;
    expect(answer.state).toBe('ACTION_RESTRICT');
    // The latest decision is the renewal: the term runs 72 h from it.
    expect(latest).toMatchObject({ action: 'ACTION_RESTRICT', previous: 'ACTION_RESTRICT', termRenewals: 1 });
    const until = ms(answer.termUntil);
    expect(until).toBe(ms(latest.at) + 72 * HOUR);
    expect(ms(latest.termUntil)).toBe(until);
    expect(answer).toMatchObject({ termRenewals: 1, termMaxRenewals: 3 });
    const when = new Date(until + 8 * HOUR).toISOString().replace('T', ' ').slice(0, 16);
    expect(answer.nextStepsZh).toContain(`限制呼出期限至${when}（北京时间）`);
    expect(answer.nextStepsZh).toContain('已延期1次，最多3次');
    expect(answer.nextStepsEn).toContain(`ends at ${when} (China time)`);
    return until;
  }

  it('shows the expiry of the restriction and the renewals used', async () => {
    const answer = await explain();
    expectTerm(answer);
    const first = answer.decisions.find((d) => d.previous !== 'ACTION_RESTRICT' && d.action === 'ACTION_RESTRICT');
    expect(first).toMatchObject({ termRenewals: 0 });
    expect(ms(first?.termUntil)).toBe(ms(first?.at) + 72 * HOUR);
    // Decisions without a term carry none.
    const others = answer.decisions.filter((d) => d.action !== 'ACTION_RESTRICT');
    expect(others.length).toBeGreaterThan(0);
    // An unset Timestamp reads back as null.
    for (const d of others) expect([d.termUntil ?? undefined, d.termRenewals]).toEqual([undefined, 0]);
  });

  it('keeps the expiry after a restart, rebuilt from the stored decisions', async () => {
    const before = ms((await explain()).termUntil);
    await carrier.stop();
    await carrier.boot();
    connect();
    expect(expectTerm(await explain())).toBe(before);
  });
});
