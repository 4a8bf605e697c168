import { status } from '@grpc/grpc-js';
import { ReasonCode } from '@app/domain';
import { DataSource } from 'typeorm';
import { rowsOf, sampleOf, scrapeMetrics } from '@app/testing';
import { AnalysisService } from '../src/analysis/analysis.service';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';
import { BUDGET_POLICY, oneCall, segmentNumber } from './rule-budget-fixture';

const MINUTE = 60_000;
const grpcError = (code: status, details: string) => ({ code, details: expect.stringContaining(details) });
const LABELS = { carrier: 'CTCC', policy: 'budget@1', reason: ReasonCode.NewSegment, shadow: 'false' };

describe('error budget per rule (carrier over gRPC)', () => {
  let carrier: CarrierHarness;
  let ops: CarrierClient;
  let analyst: CarrierClient;
  const start = Date.now() - 30 * MINUTE;
  const victims = [1, 2, 3].map(segmentNumber);
  const later = segmentNumber(4);

  function connect(): void {
    ops = carrier.client('carrier:CTCC', 'ops-li');
    analyst = carrier.client('analyst', 'analyst-wang');
  }

  const decisionsOf = (msisdn: string) =>
    rowsOf<{ action: string; reasons: string[]; recorded_at: Date }>(
      carrier.db.url,
      `SELECT action, reasons, recorded_at FROM decision WHERE msisdn = $1 AND NOT shadow ORDER BY at`,
      [msisdn],
    );
  const demotions = () =>
    rowsOf(
      carrier.db.url,
      `SELECT policy, reason, shadow, mistakes, actions, window_days, reenabled_by, why, recorded_at
       FROM rule_demotion ORDER BY id`,
    );
  const budgetOf = async (reason: string) =>
    (await ops.listRuleBudgets({})).budgets.find((b) => b.reason === reason && !b.shadow);
  const metric = async (name: string) => sampleOf(await scrapeMetrics(carrier.metricsUrl), name, LABELS);
  const appeal = (msisdn: string, key: string) =>
    ops.resolveAppeal({ idempotencyKey: key, msisdn, upheld: true, reference: key, note: 'no fraud found' });

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    connect();
    await ops.putPolicy({ document: JSON.stringify(BUDGET_POLICY) });
    await ops.setPolicy({ policy: 'budget@1', mode: 'POLICY_MODE_ACTIVE' as never, reason: 'error budget test' });
    const events = victims.flatMap((m, i) => oneCall(m, start + i * MINUTE));
    await ingest(ops, toWire(events, 100, 'victims'));
  });
  afterAll(() => carrier.close());

  it('restricts on the mis-tuned rule, and demotes it at the third upheld appeal, with that batch', async () => {
    for (const m of victims) expect((await decisionsOf(m)).map((d) => d.action)).toEqual(['RESTRICT']);
    await appeal(victims[0], 'appeal-1');
    await appeal(victims[1], 'appeal-2');
    expect(await demotions()).toEqual([]);
    expect(await metric('fraud_rule_demoted')).toBe(0);
    await appeal(victims[2], 'appeal-3');
    const [demotion, ...none] = await demotions();
    expect(none).toEqual([]);
    expect(demotion).toMatchObject({
      policy: 'budget@1',
      reason: ReasonCode.NewSegment,
      shadow: false,
      mistakes: 3,
      actions: 3,
      window_days: 30,
      reenabled_by: null,
    });
    // Written in the restore's transaction (now() is the transaction's time).
    const restore = (await decisionsOf(victims[2])).find((d) => d.action === 'RESTORE');
    expect(restore?.reasons).toEqual([ReasonCode.AppealUpheld]);
    expect(demotion.recorded_at).toEqual(restore?.recorded_at);
    const outbox = await rowsOf<{ payload: Record<string, unknown> }>(
      carrier.db.url,
      `SELECT payload FROM outbox WHERE destination = 'ADMIN' AND idempotency_key LIKE 'CTCC-demotion-%'`,
    );
    expect(outbox.map((o) => o.payload)).toEqual([
      expect.objectContaining({ kind: 'rule_demotion', policy: 'budget@1', reason: 'NEW_SEGMENT', mistakes: 3 }),
    ]);
    expect(await metric('fraud_rule_demoted')).toBe(1);
    expect(await metric('fraud_rule_demotions_total')).toBe(1);
  });

  it('lists the budgets of the running policy; a number the rule alone would restrict now reaches WARN', async () => {
    const budget = await budgetOf(ReasonCode.NewSegment);
    expect(budget).toMatchObject({ policy: 'budget@1', actions: 3, mistakes: 3, demoted: true, windowDays: 30 });
    expect(Number(budget?.demotedSince?.seconds)).toBeGreaterThan(0);
    expect(await budgetOf(ReasonCode.CallBurst)).toMatchObject({ actions: 0, mistakes: 0, demoted: false });
    await expect(analyst.listRuleBudgets({})).resolves.toMatchObject({ budgets: expect.any(Array) });
    await ingest(ops, toWire(oneCall(later, start + 10 * MINUTE), 100, 'later'));
    expect((await decisionsOf(later)).map((d) => d.action)).toEqual(['WARN']);
  });

  it('keeps the demotion and its counts after a restart', async () => {
    await carrier.stop();
    await carrier.boot();
    connect();
    expect(await budgetOf(ReasonCode.NewSegment)).toMatchObject({ actions: 3, mistakes: 3, demoted: true });
    expect(await metric('fraud_rule_demoted')).toBe(1);
  });

  const INVALID = status.INVALID_ARGUMENT;
  const NOT_NOW = status.FAILED_PRECONDITION;
  it.each([
    ['without why', { policy: 'budget@1', reason: 'NEW_SEGMENT' }, INVALID, 'why'],
    ['a policy not name@version', { policy: 'budget', reason: 'NEW_SEGMENT', why: 'x' }, INVALID, 'policy'],
    ['a reason not weighed', { policy: 'budget@1', reason: 'DIRECTIVE', why: 'x' }, INVALID, 'reason'],
    ['a reason not demoted', { policy: 'budget@1', reason: 'CALL_BURST', why: 'x' }, NOT_NOW, 'not demoted'],
    ['a policy not running', { policy: 'default@1', reason: 'NEW_SEGMENT', why: 'x' }, NOT_NOW, 'not demoted'],
  ])('refuses a re-enable: %s, changing nothing', async (_what, request, code, details) => {
    await expect(ops.reenableRule(request)).rejects.toMatchObject(grpcError(code, details));
    expect(await budgetOf(ReasonCode.NewSegment)).toMatchObject({ demoted: true });
  });

  it('refuses a re-enable by an analyst', async () => {
    await expect(
      analyst.reenableRule({ policy: 'budget@1', reason: 'NEW_SEGMENT', why: 'looks fine' }),
    ).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
  });

  it('re-enables the rule with who and why: full weight again, counts afresh, sent to the administration', async () => {
    const why = 'segment weight lowered in budget@2; checked the three appeals';
    // Sent twice at once (a client's retry racing its first try): re-enabled once, both get one answer.
    const [answer, twin] = await Promise.all([
      ops.reenableRule({ policy: 'budget@1', reason: 'NEW_SEGMENT', why }),
      ops.reenableRule({ policy: 'budget@1', reason: 'NEW_SEGMENT', why }),
    ]);
    expect(twin).toEqual(answer);
    expect(answer.budgets).toEqual([
      expect.objectContaining({ policy: 'budget@1', reason: 'NEW_SEGMENT', demoted: false, actions: 0, mistakes: 0 }),
    ]);
    expect(await demotions()).toEqual([expect.objectContaining({ reenabled_by: 'ops-li', why })]);
    const toAdmin = () =>
      rowsOf<{ payload: Record<string, unknown> }>(
        carrier.db.url,
        `SELECT payload FROM outbox WHERE destination = 'ADMIN' AND idempotency_key LIKE 'CTCC-reenable-%'`,
      );
    const outbox = await toAdmin();
    expect(outbox.map((o) => o.payload)).toEqual([expect.objectContaining({ reenabledBy: 'ops-li', why })]);
    expect(await metric('fraud_rule_demoted')).toBe(0);
    // The same request again (its answer was lost, say) gets the same answer, and changes nothing.
    const again = await ops.reenableRule({ policy: 'budget@1', reason: 'NEW_SEGMENT', why });
    expect(again.reenabledAt).toEqual(answer.reenabledAt);
    expect(again.budgets).toEqual(answer.budgets);
    expect(await demotions()).toHaveLength(1);
    expect(await toAdmin()).toHaveLength(1);
    // With another why it is a new request, and finds nothing demoted.
    await expect(
      ops.reenableRule({ policy: 'budget@1', reason: 'NEW_SEGMENT', why: 'another reason' }),
    ).rejects.toMatchObject(grpcError(status.FAILED_PRECONDITION, 'not demoted'));
    // The rule restricts again, and a restart keeps it re-enabled.
    const next = segmentNumber(5);
    await ingest(ops, toWire(oneCall(next, Date.now()), 100, 'next'));
    expect((await decisionsOf(next)).map((d) => d.action)).toEqual(['RESTRICT']);
    await carrier.stop();
    await carrier.boot();
    connect();
    expect(await budgetOf(ReasonCode.NewSegment)).toMatchObject({ demoted: false, actions: 1, mistakes: 0 });
  });

  it('writes every ReenableRule call to the audit log with who, why and the outcome', async () => {
    const audit = await rowsOf<{ actor: string; purpose: string | null; outcome: string; detail: unknown }>(
      carrier.db.url,
      `SELECT actor, purpose, outcome, detail FROM audit_event
       WHERE action = 'fraud.carrier.v1.CarrierService/ReenableRule' ORDER BY id`,
    );
    expect(audit.map((a) => a.outcome)).toEqual([
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
      'FAILED_PRECONDITION',
      'FAILED_PRECONDITION',
      'PERMISSION_DENIED',
      'OK',
      'OK',
      'OK',
      'FAILED_PRECONDITION',
    ]);
    expect(audit[6]).toMatchObject({
      actor: 'ops-li',
      purpose: expect.stringContaining('segment weight lowered'),
      detail: { policy: 'budget@1', reason: 'NEW_SEGMENT' },
    });
  });
});

describe('error budget per rule: a step that trips a demotion, then fails to commit', () => {
  let carrier: CarrierHarness;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CMCC');
  });
  afterAll(() => carrier.close());

  it('takes the engine back to what is durable: the number and the budget, the demotion undone', async () => {
    const ops = carrier.client('carrier:CMCC', 'ops-li');
    await ops.putPolicy({ document: JSON.stringify(BUDGET_POLICY) });
    await ops.setPolicy({ policy: 'budget@1', mode: 'POLICY_MODE_ACTIVE' as never, reason: 'rollback test' });
    const start = Date.now() - 30 * MINUTE;
    const victims = [1, 2, 3].map((n) => segmentNumber(200 + n));
    const events = victims.flatMap((m, i) => oneCall(m, start + i * MINUTE, 'CMCC'));
    await ingest(ops, toWire(events, 100, 'rollback'));
    await ops.resolveAppeal({ idempotencyKey: 'r-1', msisdn: victims[0], upheld: true, reference: 'r-1', note: 'x' });
    await ops.resolveAppeal({ idempotencyKey: 'r-2', msisdn: victims[1], upheld: true, reference: 'r-2', note: 'x' });

    // The third upheld appeal, in a transaction that fails after the engine changed.
    const analysis = carrier.app.get(AnalysisService);
    const undo: (() => void)[] = [];
    const hooks = { onRollback: (step: () => void) => undo.push(step), onCommit: () => undefined };
    await expect(
      carrier.app.get(DataSource).transaction(async (em) => {
        const result = await analysis.applyInTransaction(em, hooks, victims[2], {
          kind: 'appealUpheld',
          msisdn: victims[2],
          atMs: Date.now(),
        });
        expect(result.demotions).toEqual([expect.objectContaining({ reason: ReasonCode.NewSegment })]);
        throw new Error('the appeal could not be stored');
      }),
    ).rejects.toThrow('the appeal could not be stored');
    undo.forEach((step) => step());

    // Nothing of the failed step stays: the engine is rebuilt from what is durable, so the demotion it tripped
    // never happened, and the next upheld appeal is the one that trips it.
    expect(analysis.state.levelOf(victims[2], Date.now())).toBe('RESTRICT');
    await analysis.current();
    expect(analysis.state.levelOf(victims[2], Date.now())).toBe('RESTRICT');
    const stored = () =>
      rowsOf<{ reason: string }>(carrier.db.url, `SELECT reason FROM rule_demotion WHERE reenabled_at IS NULL`);
    expect(await stored()).toEqual([]);
    expect(
      await rowsOf(carrier.db.url, `SELECT id FROM decision WHERE action = 'RESTORE' AND msisdn = $1`, [victims[2]]),
    ).toEqual([]);
    await ops.resolveAppeal({ idempotencyKey: 'r-3', msisdn: victims[2], upheld: true, reference: 'r-3', note: 'x' });
    expect(await stored()).toEqual([{ reason: ReasonCode.NewSegment }]);
    expect((await ops.listRuleBudgets({})).budgets).toContainEqual(
      expect.objectContaining({ reason: ReasonCode.NewSegment, demoted: true }),
    );
  });
});
