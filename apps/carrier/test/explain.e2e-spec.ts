import { status } from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import { Action, REASONS, type Msisdn } from '@app/domain';
import { falseReportAttack, HIGH_RISK, highRiskCellWorker } from '../../../libs/domain/src/carrier/fixtures';
import { AnalysisService } from '../src/analysis/analysis.service';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';
import { activateTermlessDefault, useHighRiskCells } from './ladder-helpers';
import { rowsOf } from '@app/testing';

const grpcError = (code: status, details: string) => ({ code, details: expect.stringContaining(details) });
const ms = (t: { seconds: number; nanos: number } | undefined) =>
  Number(t?.seconds) * 1000 + Math.floor(Number(t?.nanos) / 1e6);

describe('ExplainNumber (carrier over gRPC)', () => {
  let carrier: CarrierHarness;
  let police: CarrierClient;
  const worker = highRiskCellWorker();
  const attacked = falseReportAttack();

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    police = carrier.client('police', 'officer-0427');
    // The high-risk cell list is not an IngestEvents event (it comes from the administration):
    // feed the engine directly.
    await useHighRiskCells(carrier, worker.events);
    const client = carrier.client();
    await activateTermlessDefault(client);
    await ingest(
      client,
      toWire(
        worker.events.filter((e) => e.type !== 'high_risk_cell'),
        200,
        'worker',
      ),
    );
    await ingest(
      client,
      toWire(
        attacked.events.filter((e) => e.type !== 'high_risk_cell'),
        200,
        'attack',
      ),
    );
  });
  afterAll(() => carrier.close());

  const explain = (request: Partial<carrier.ExplainNumberRequest>, client = police) => client.explainNumber(request);

  it('shows the state, every decision in plain language, the cell and time behind each cell-based reason', async () => {
    const answer = await explain({ msisdn: worker.subject.slice(3), purpose: 'customer call 2024-0117' });
    expect(answer).toMatchObject({
      msisdn: worker.subject,
      state: 'ACTION_RESTRICT',
      registryStatus: 'NUMBER_STATUS_NOT_LISTED',
      declaredProfile: 'USAGE_PROFILE_NONE',
      profileAttested: false,
      reactivationChancesLeft: 1,
    });
    expect(answer.decisions.map((d) => [d.action, d.policy, d.shadow])).toEqual([
      ['ACTION_RESTRICT', 'default@2', false],
      ['ACTION_WARN', 'default@2', false],
      ['ACTION_MONITOR', 'default@2', false],
    ]);

    const restrict = answer.decisions[0];
    expect(restrict.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining(['HIGH_RISK_CELL_ACTIVITY', 'HIGH_RISK_CELL_PRESENCE']),
    );
    expect(restrict.reasons[0]).toEqual({
      code: 'HIGH_RISK_CELL_ACTIVITY',
      textZh: REASONS.HIGH_RISK_CELL_ACTIVITY.zh,
      textEn: REASONS.HIGH_RISK_CELL_ACTIVITY.en,
      adviceZh: REASONS.HIGH_RISK_CELL_ACTIVITY.adviceZh,
      adviceEn: REASONS.HIGH_RISK_CELL_ACTIVITY.adviceEn,
    });
    expect(restrict.evidence?.measures).toContainEqual({
      name: 'calls_at_high_risk_cells_24h',
      value: expect.any(Number),
      threshold: 4,
    });

    // Every cell shown is the high-risk cell the worker really used,
    // at the time of a real call or location update there.
    const seenAt = new Map<number, string>();
    for (const e of worker.events) {
      if (e.type === 'call' && e.caller === worker.subject && e.cell) seenAt.set(e.at, 'call');
      if (e.type === 'location' && e.msisdn === worker.subject) seenAt.set(e.at, 'location');
    }
    for (const decision of answer.decisions) {
      const cells = decision.evidence?.cells ?? [];
      expect(cells.length).toBeGreaterThan(0);
      for (const cell of cells) {
        expect(cell.cell).toBe(HIGH_RISK[1]);
        expect(cell.cell).toBe('460-11-23457-2');
        expect(seenAt.get(ms(cell.at))).toBe(cell.activity);
        expect(ms(cell.at)).toBeLessThanOrEqual(ms(decision.at));
      }
    }

    expect(answer.nextStepsEn).toContain(
      'Outgoing calls to numbers not in contact in the last 30 days are restricted. ' +
        'Emergency and service numbers (110, 119, 120, 122, 12110, 96110, 12381, 12321, 10086, 10010, 10000, 10099) ' +
        'can always be called; numbers you called, texted or heard from in the last 30 days can still be called; ' +
        'all incoming calls and data still work. Re-verify your identity at a shop',
    );
    expect(answer.nextStepsZh).toContain(
      '110、119、120、122、12110、96110、12381、12321、10086、10010、10000、10099）始终可以拨打',
    );
    expect(answer.nextStepsEn).toContain(REASONS.HIGH_RISK_CELL_ACTIVITY.adviceEn);
    expect(answer.nextStepsZh).toContain('限制呼出');
    expect(answer.nextStepsZh).toContain(REASONS.HIGH_RISK_CELL_ACTIVITY.adviceZh);
  });

  it('explains a suspension: the chances left, then police verification once they are used', async () => {
    const analysis = carrier.app.get(AnalysisService);
    const subject = worker.subject as Msisdn;
    const now = Date.now();
    await analysis.apply({ kind: 'directive', msisdn: subject, action: Action.Suspend, atMs: now - 3_600_000 });
    const suspended = await explain({ msisdn: subject, purpose: 'appeal desk' });
    expect(suspended).toMatchObject({ state: 'ACTION_SUSPEND', reactivationChancesLeft: 1 });
    expect(suspended.decisions[0]).toMatchObject({
      action: 'ACTION_SUSPEND',
      previous: 'ACTION_RESTRICT',
      reasons: [expect.objectContaining({ code: 'DIRECTIVE' })],
    });
    expect(suspended.nextStepsEn).toContain('1 re-activation chance(s) left');

    await analysis.apply({ kind: 'reactivation', msisdn: subject, idVerified: true, atMs: now - 1_800_000 });
    expect(await explain({ msisdn: subject, purpose: 'appeal desk' })).toMatchObject({
      state: 'ACTION_NONE',
      reactivationChancesLeft: 0,
      nextStepsEn: 'Service is normal: nothing to do.',
    });

    await analysis.apply({ kind: 'directive', msisdn: subject, action: Action.Suspend, atMs: now - 600_000 });
    const again = await explain({ msisdn: subject, purpose: 'appeal desk' });
    expect(again).toMatchObject({ state: 'ACTION_SUSPEND', reactivationChancesLeft: 0 });
    expect(again.nextStepsEn).toMatch(
      new RegExp(
        '^The number is suspended and no re-activation chance is left in this period: ' +
          'ask the police to verify the number through the fraud registry',
      ),
    );
    expect(again.nextStepsZh).toContain('申请公安机关甄别');
  });

  it('tells the target of a false-report attack that there is nothing to do', async () => {
    const answer = await explain({ msisdn: attacked.subject, purpose: 'complaint about reports' });
    expect(answer.state).toBe('ACTION_NONE');
    expect(answer.decisions[0].reasons.map((r) => r.code)).toEqual(['REPORT_ATTACK']);
    expect(answer.nextStepsEn).toContain(
      'recorded as a likely false-report attack; the number is protected and you need do nothing',
    );
  });

  it('says whether the declared profile rests on an attestation (the latest declaration of the number)', async () => {
    const declare = (profile: string, minutesAgo: number) =>
      rowsOf(
        carrier.db.url,
        `INSERT INTO profile_declaration (idempotency_key, content_hash, msisdn, profile,
           attested_by, attestation_reference, declared_by, declared_at)
         VALUES ($1, repeat('0', 64), $2, $3,
           'SF Express Chengdu depot', 'SF-2024-17', 'ops-li', now() - make_interval(mins => $4))`,
        [`decl-${profile}-${minutesAgo}`, attacked.subject, profile, minutesAgo],
      );
    await declare('courier', 60);
    expect(await explain({ msisdn: attacked.subject, purpose: 'profile check' })).toMatchObject({
      declaredProfile: 'USAGE_PROFILE_NONE',
      profileAttested: false,
    });
    await declare('none', 5);
    expect(await explain({ msisdn: attacked.subject, purpose: 'profile check' })).toMatchObject({
      declaredProfile: 'USAGE_PROFILE_NONE',
      profileAttested: true,
    });
  });

  it('answers for a number it never saw: no state, no decisions, not an error', async () => {
    expect(await explain({ msisdn: '+8613912345678', purpose: 'walk-in customer' })).toEqual({
      msisdn: '+8613912345678',
      state: 'ACTION_NONE',
      registryStatus: 'NUMBER_STATUS_NOT_LISTED',
      declaredProfile: 'USAGE_PROFILE_UNSPECIFIED',
      profileAttested: false,
      decisions: [],
      nextStepsZh: '服务正常，无需处理。',
      nextStepsEn: 'Service is normal: nothing to do.',
      reactivationChancesLeft: 1,
      // No term (an unset Timestamp reads back as null).
      termUntil: null,
      termRenewals: 0,
      termMaxRenewals: 0,
      // No review of a suspension is pending (policy.humanReview).
      reviewPendingSince: null,
    });
  });

  it.each([
    ['no number', { purpose: 'x' }, 'msisdn: a phone number is required'],
    [
      'a bad number',
      { msisdn: '１９１１２３４５６７８', purpose: 'x' },
      'msisdn: "１９１１２３４５６７８" is not a phone number',
    ],
    ['a landline', { msisdn: '02887654321', purpose: 'x' }, 'msisdn'],
    ['no purpose', { msisdn: '19112345678' }, 'purpose: say why'],
    ['a blank purpose', { msisdn: '19112345678', purpose: '  ' }, 'purpose: say why'],
    ['an overlong purpose', { msisdn: '19112345678', purpose: 'p'.repeat(501) }, 'purpose: at most 500 characters'],
  ])('refuses %s with INVALID_ARGUMENT naming the field', async (_what, request, details) => {
    await expect(explain(request)).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, details));
  });

  it('audits every explanation with who, the number (in E.164) and the purpose, refused ones included', async () => {
    await explain({ msisdn: '19112340000', purpose: 'audit check' }, carrier.client('admin:sichuan', 'analyst-wu'));
    const audit = await rowsOf(
      carrier.db.url,
      `SELECT actor, role, target, purpose, outcome FROM audit_event
       WHERE action = 'fraud.carrier.v1.CarrierService/ExplainNumber' ORDER BY id`,
    );
    expect(audit).toContainEqual({
      actor: 'officer-0427',
      role: 'police',
      target: worker.subject,
      purpose: 'customer call 2024-0117',
      outcome: 'OK',
    });
    expect(audit).toContainEqual({
      actor: 'analyst-wu',
      role: 'admin:sichuan',
      target: '+8619112340000',
      purpose: 'audit check',
      outcome: 'OK',
    });
    expect(audit).toContainEqual({
      actor: 'officer-0427',
      role: 'police',
      target: '+8619112345678',
      purpose: null,
      outcome: 'INVALID_ARGUMENT',
    });
    expect(audit).toContainEqual({
      actor: 'officer-0427',
      role: 'police',
      target: '+8619112345678',
      purpose: 'p'.repeat(500),
      outcome: 'INVALID_ARGUMENT',
    });
  });
});
