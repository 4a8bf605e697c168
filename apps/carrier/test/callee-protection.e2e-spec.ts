import {
  Action,
  CALLS_LABELLED,
  DEFAULT_POLICY,
  ReasonCode,
  type CarrierEvent,
  type CalleeWarning,
  type Msisdn,
} from '@app/domain';
import { DataSource } from 'typeorm';
import { parseExposition, scrapeMetrics } from '@app/testing';
import { DailyCounts } from '../src/admin-link/daily-counts.service';
import { toFeedItem } from '../src/admin-link/feed-item.mapper';
import { DecisionRecorder } from '../src/decisions/decision-recorder.service';
import { NoticeSender } from '../src/decisions/notice-sender.service';
import { SMS_GATEWAY, type SmsGateway, type SmsMessage } from '../src/decisions/sms-gateway';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';
import { applyStep, query, subscribe } from './ladder-helpers';

/** `default` with calleeProtection, every field at its default: from WARN, callees warned once a day. */
const PROTECTING_POLICY = { ...DEFAULT_POLICY, name: 'protect', version: 1, calleeProtection: {} };

describe('protect the callee first (carrier over gRPC and PostgreSQL)', () => {
  let carrier: CarrierHarness;
  let ops: CarrierClient;
  let police: CarrierClient;
  let caller: Msisdn;
  let friend: Msisdn;
  let callees: Msisdn[];
  const stranger = '13800000077';
  const now = Date.now();
  const call = (at: number, from: Msisdn, to: Msisdn, answered = true): CarrierEvent => ({
    type: 'call',
    at,
    caller: from,
    callee: to,
    answered,
    durationSec: answered ? 95 : 0,
  });

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    ops = carrier.client('carrier:CTCC', 'ops-li');
    police = carrier.client('police', 'officer-0427');
    await ops.putPolicy({ document: JSON.stringify(PROTECTING_POLICY) });
    await ops.setPolicy({ policy: 'protect@1', mode: 'POLICY_MODE_ACTIVE' as never, reason: 'protect the callee' });
    [caller, friend, ...callees] = await subscribe(carrier, ops, [
      '13320000001',
      '13320000002',
      '13320000003',
      '13320000004',
    ]);
    // The friend called the caller an hour ago: they know each other.
    await ingest(ops, toWire([call(now - 60 * 60_000, friend, caller)], 500, 'friend'));
    // Reports put the caller at WARN (as a decision of the analysis would).
    await applyStep(carrier, {
      kind: 'impose',
      msisdn: caller,
      action: Action.Warn,
      reason: ReasonCode.CorroboratedReports,
      atMs: now - 50 * 60_000,
    });
  });
  afterAll(() => carrier.close());

  it('labels the warned caller’s calls to strangers (CARRIER_WARNED), not to its contacts or essentials', async () => {
    expect(await ops.checkCall({ caller, callee: stranger })).toEqual({
      verdict: 'CALL_VERDICT_LABEL',
      reasons: ['CARRIER_WARNED'],
    });
    expect(await ops.checkCall({ caller, callee: friend })).toEqual({ verdict: 'CALL_VERDICT_ALLOW', reasons: [] });
    expect(await ops.checkCall({ caller, callee: '96110' })).toEqual({
      verdict: 'CALL_VERDICT_ALLOW',
      reasons: ['ESSENTIAL_NUMBER'],
    });
    // Another subscriber, on no step: nothing changes.
    expect(await ops.checkCall({ caller: friend, callee: stranger })).toEqual({
      verdict: 'CALL_VERDICT_ALLOW',
      reasons: [],
    });
  });

  it('stores one warning per answered callee, once, however often the batch is replayed', async () => {
    const batch = [
      call(now - 40 * 60_000, caller, callees[0]),
      call(now - 39 * 60_000, caller, callees[1], false),
      call(now - 38 * 60_000, caller, friend),
    ];
    const warnings = () => query(carrier, `SELECT callee, caller, policy, reasons FROM callee_warning ORDER BY at`, []);
    await ingest(ops, toWire(batch, 500, 'calls'));
    const stored = await warnings();
    expect(stored).toEqual([
      { callee: callees[0], caller, policy: 'protect@1', reasons: [ReasonCode.CorroboratedReports] },
    ]);
    // The same batch again (a retried stream), and once more under new ids: still one warning.
    expect((await ingest(ops, toWire(batch, 500, 'calls'))).duplicates).toBe(batch.length);
    await ingest(ops, toWire(batch, 500, 'calls-resent'));
    expect(await warnings()).toEqual(stored);
    // Recording the very same warning again (a replay after a restart) stores nothing twice, counts nothing twice.
    const warning: CalleeWarning = {
      at: now - 40 * 60_000,
      callee: callees[0],
      caller,
      policy: 'protect@1',
      reasons: [ReasonCode.CorroboratedReports],
    };
    const recorder = carrier.app.get(DecisionRecorder);
    const counted = await carrier.app
      .get(DataSource)
      .transaction((em) => recorder.writeIn(em, [{ decisions: [], calleeWarnings: [warning] }]));
    counted();
    expect(await warnings()).toEqual(stored);
    const series = parseExposition(await scrapeMetrics(carrier.metricsUrl));
    expect(series.filter((s) => s.name === 'fraud_callee_warnings_total')).toMatchObject([
      { labels: { carrier: 'CTCC' }, value: 1 },
    ]);
  });

  it('sends the callee its warning by SMS through the notice path, naming the call, not the evidence', async () => {
    const gateway = carrier.app.get<SmsGateway>(SMS_GATEWAY);
    const sent: SmsMessage[] = [];
    const spy = jest.spyOn(gateway, 'send').mockImplementation((message) => {
      sent.push(message);
      return Promise.resolve();
    });
    try {
      await carrier.app.get(NoticeSender).sendPending();
    } finally {
      spy.mockRestore();
    }
    const toCallee = sent.filter((m) => m.msisdn === callees[0]);
    expect(toCallee).toHaveLength(1);
    expect(toCallee[0].text).toContain(`来自${caller}的来电可能涉嫌诈骗`);
    expect(toCallee[0].text).toContain('96110');
    expect(toCallee[0].text).not.toContain('举报');
    const { notices } = await ops.listNotices({ msisdn: callees[0] });
    expect(notices).toMatchObject([{ msisdn: callees[0], decisionId: '', sent: true }]);
    // The caller's own WARN notice says its calls to strangers are labelled.
    const own = await ops.listNotices({ msisdn: caller });
    expect(own.notices.map((n) => n.text).join('')).toContain(CALLS_LABELLED.zh);
  });

  it('explains that the caller’s calls to strangers are labelled, and how many callees were warned', async () => {
    const answer = await police.explainNumber({ msisdn: caller, purpose: 'customer call 2024-0312' });
    expect(answer).toMatchObject({ state: 'ACTION_WARN', callsToStrangersLabelled: true, calleesWarned: 1 });
    expect(answer.nextStepsZh).toContain(CALLS_LABELLED.zh);
    expect(answer.nextStepsZh).toContain('有1位接听过该号码来电的用户收到了反诈提醒短信');
    expect(answer.nextStepsEn).toContain('1 person who answered its calls received an anti-fraud warning SMS');
    const callee = await police.explainNumber({ msisdn: callees[0], purpose: 'customer call 2024-0312' });
    expect(callee).toMatchObject({ state: 'ACTION_NONE', callsToStrangersLabelled: false, calleesWarned: 0 });
  });

  it('counts the day’s callee warnings for the administration, beside the daily decision counts', async () => {
    expect((await carrier.app.get(DailyCounts).countNow()).queued).toBeGreaterThan(0);
    const day = new Date(now - 40 * 60_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    const queued = await query(
      carrier,
      `SELECT idempotency_key, payload FROM outbox WHERE destination = 'ADMIN' AND payload->>'kind' = $1`,
      ['daily_callee_warnings'],
    );
    expect(queued).toEqual([
      {
        idempotency_key: `CTCC-callee-warnings-${day}-protect@1-1`,
        payload: { kind: 'daily_callee_warnings', day, policy: 'protect@1', count: 1 },
      },
    ]);
    const [message] = queued as { idempotency_key: string; payload: unknown }[];
    expect(toFeedItem(message.idempotency_key, message.payload)).toEqual({
      idempotencyKey: message.idempotency_key,
      calleeWarnings: { day, policy: 'protect@1', count: 1 },
    });
    // Nothing new: nothing queued again.
    expect(await carrier.app.get(DailyCounts).countNow()).toMatchObject({ queued: 0 });
  });

  it('after a restart, remembers whom it warned today and why the caller stands at WARN', async () => {
    await carrier.stop();
    await carrier.boot();
    ops = carrier.client('carrier:CTCC', 'ops-li');
    const [second, third] = await subscribe(carrier, ops, ['13320000005', '13320000006']);
    await applyStep(carrier, {
      kind: 'impose',
      msisdn: second,
      action: Action.Warn,
      reason: ReasonCode.NewNumber,
      atMs: now - 1,
    });
    // callees[0] was warned 40 minutes ago: a second warned stranger's call today warns it no more; third is new.
    await ingest(ops, toWire([call(now, second, callees[0]), call(now + 1, caller, third)], 500, 'after-restart'));
    expect(await query(carrier, `SELECT callee, caller, reasons FROM callee_warning ORDER BY at`, [])).toEqual([
      { callee: callees[0], caller, reasons: [ReasonCode.CorroboratedReports] },
      { callee: third, caller, reasons: [ReasonCode.CorroboratedReports] },
    ]);
  });
});
