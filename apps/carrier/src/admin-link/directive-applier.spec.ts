import { Logger } from '@nestjs/common';
import { admin } from '@app/contracts';
import {
  Action,
  AnalysisEngine,
  DEFAULT_POLICY,
  msisdnKey,
  ReasonCode,
  applyCommand,
  type Decision,
  type EngineCommand,
  type Msisdn,
} from '@app/domain';
import { cst, HOUR, Scenario } from '../../../../libs/domain/src/carrier/fixtures';
import type { AnalysisService } from '../analysis/analysis.service';
import { numberAbout } from '../analysis/number-about';
import { Metrics } from '@app/observability';
import { sampleOf } from '@app/testing';
import { carrierConfig } from '../config/carrier.config';
import { CarrierMetrics } from '../metrics/carrier-metrics';
import { DirectiveApplier } from './directive-applier.service';
import type { DirectiveLogRepository } from './directive-log.repository';
import type { DirectiveOutcome, HighRiskCellList } from './directive.mapper';
import { HighRiskCells } from './high-risk-cells.service';
import type { HighRiskCellsRepository } from './high-risk-cells.repository';

const ISSUED = cst('2024-03-01T10:00');
const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 });

/** The carrier around the applier, in memory: a real engine, the stored outcomes, the stored list. */
function carrierCtcc() {
  const s = new Scenario(60);
  const ours = s.subscriber('19100009999', cst('2020-01-01T00:00'));
  const theirs = s.subscriber('13800000001', cst('2020-01-01T00:00'), undefined, 'CMCC');
  const engine = new AnalysisEngine({ policy: DEFAULT_POLICY, carrier: 'CTCC' });
  for (const e of s.sorted()) engine.process(e);
  const recorded: Decision[] = [];
  const apply = async (command: EngineCommand) => {
    const result = applyCommand(engine, command);
    recorded.push(...result.decisions);
    return result;
  };
  const analysis = {
    state: engine,
    apply,
    applyAbout: async (command: EngineCommand & { msisdn: Msisdn; atMs: number }) => {
      const result = await apply(command);
      return { result, about: numberAbout(engine, command.msisdn, command.atMs, result.decisions) };
    },
    levelKnown: (msisdn: Msisdn, atMs: number) => engine.levelOf(msisdn, atMs),
  } as unknown as AnalysisService;
  const log = new Map<string, DirectiveOutcome>();
  const logRepository = {
    find: async (id: string) => log.get(id),
    record: async (id: string, _kind: string, _msisdn: string | undefined, o: DirectiveOutcome) =>
      log.get(id) ?? (log.set(id, o), o),
  } as unknown as DirectiveLogRepository;
  let stored: HighRiskCellList = { version: 0, cells: [] };
  const cellsRepository = {
    load: async () => stored,
    replace: async (list: HighRiskCellList) => (list.version > stored.version ? ((stored = list), true) : false),
  } as unknown as HighRiskCellsRepository;
  const cells = new HighRiskCells(cellsRepository, analysis);
  const now = { ms: ISSUED + HOUR };
  const config = carrierConfig({ CARRIER_ID: 'CTCC' });
  const metrics = new Metrics('carrier-ctcc');
  const applier = new DirectiveApplier(
    analysis,
    cells,
    logRepository,
    config,
    { now: () => new Date(now.ms) },
    new CarrierMetrics(metrics, config),
  );
  return { applier, engine, ours, theirs, recorded, log, cells, now, metrics, stored: () => stored };
}

const onNumber = (
  id: string,
  kind: admin.DirectiveKind,
  msisdn: string,
  expiresAt = ISSUED + 72 * HOUR,
): admin.Directive => ({
  directiveId: id,
  kind,
  msisdn,
  caseId: '',
  reason: 'reported by CMCC',
  evidence: undefined,
  issuedAt: ts(ISSUED),
  expiresAt: ts(expiresAt),
  cells: undefined,
});

const cellList = (id: string, version: number, cells: string[]): admin.Directive => ({
  ...onNumber(id, admin.DirectiveKind.DIRECTIVE_KIND_HIGH_RISK_CELLS, ''),
  cells: {
    version,
    cells: cells.map((cell) => ({
      cell,
      reason: 'fraud den',
      source: 'police:chengdu',
      addedAt: ts(ISSUED),
      expiresAt: undefined,
    })),
  },
});

describe(DirectiveApplier.name, () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('suspends our subscriber with reason DIRECTIVE when it acts, and acknowledges APPLIED with the step', async () => {
    const { applier, ours, recorded, engine, now } = carrierCtcc();
    const ack = await applier.apply(onNumber('d-1', admin.DirectiveKind.DIRECTIVE_KIND_SUSPEND, '19100009999'));
    expect(ack).toEqual({
      directiveId: 'd-1',
      outcome: 'DIRECTIVE_OUTCOME_APPLIED',
      detail: 'suspended (was NONE)',
      state: 'ACTION_SUSPEND',
    });
    expect(recorded).toMatchObject([
      {
        msisdn: ours,
        action: Action.Suspend,
        previous: Action.None,
        reasons: [ReasonCode.Directive],
        at: now.ms,
        shadow: false,
      },
    ]);
    expect(engine.levelOf(ours, now.ms)).toBe(Action.Suspend);
  });

  it('applies a directive received twice once, and answers the second time with the stored outcome', async () => {
    const { applier, recorded } = carrierCtcc();
    const suspend = onNumber('d-1', admin.DirectiveKind.DIRECTIVE_KIND_SUSPEND, '+8619100009999');
    const first = await applier.apply(suspend);
    expect(await applier.apply(suspend)).toEqual(first);
    expect(recorded).toHaveLength(1);
    // Another directive with the same order changes nothing more, and says so.
    expect(await applier.apply({ ...suspend, directiveId: 'd-2' })).toMatchObject({
      outcome: 'DIRECTIVE_OUTCOME_APPLIED',
      detail: 'already SUSPEND: nothing more to do',
      state: 'ACTION_SUSPEND',
    });
    expect(recorded).toHaveLength(1);
  });

  it('measures each directive once: its outcome, and the hour from its issue to its application', async () => {
    const { applier, metrics } = carrierCtcc();
    const suspend = onNumber('d-1', admin.DirectiveKind.DIRECTIVE_KIND_SUSPEND, '+8619100009999');
    await applier.apply(suspend);
    await applier.apply(suspend); // a redelivery, answered from the log
    const text = await metrics.registry.metrics();
    const labels = { carrier: 'CTCC', kind: 'SUSPEND', service: 'carrier-ctcc' };
    expect(sampleOf(text, 'fraud_directives_applied_total', { ...labels, outcome: 'APPLIED' })).toBe(1);
    expect(sampleOf(text, 'fraud_directive_lag_seconds_sum', labels)).toBe(3600);
    expect(sampleOf(text, 'fraud_directive_lag_seconds_bucket', { ...labels, le: '3600' })).toBe(1);
    expect(sampleOf(text, 'fraud_directive_lag_seconds_bucket', { ...labels, le: '900' })).toBe(0);
  });

  it('rejects a directive on a number that is not our subscriber, and keeps that answer too', async () => {
    const { applier, recorded, log } = carrierCtcc();
    for (const msisdn of ['13800000001', '13800000002']) {
      expect(await applier.apply(onNumber(`d-${msisdn}`, admin.DirectiveKind.DIRECTIVE_KIND_SUSPEND, msisdn))).toEqual({
        directiveId: `d-${msisdn}`,
        outcome: 'DIRECTIVE_OUTCOME_REJECTED',
        detail: `+86${msisdn} is not a subscriber of CTCC`,
        state: 'ACTION_UNSPECIFIED',
      });
    }
    expect(recorded).toEqual([]);
    expect(log.get('d-13800000001')).toMatchObject({ outcome: 'REJECTED' });
  });

  it('rejects what it cannot read, naming the field, and an order that expired before it arrived', async () => {
    const { applier, now } = carrierCtcc();
    expect(
      await applier.apply(onNumber('d-1', admin.DirectiveKind.DIRECTIVE_KIND_SUSPEND, 'not a number')),
    ).toMatchObject({
      outcome: 'DIRECTIVE_OUTCOME_REJECTED',
      detail: expect.stringMatching(/^directive\.msisdn: "not a number" is not a phone number/),
    });
    now.ms = ISSUED + 73 * HOUR;
    expect(await applier.apply(onNumber('d-2', admin.DirectiveKind.DIRECTIVE_KIND_SUSPEND, '19100009999'))).toEqual({
      directiveId: 'd-2',
      outcome: 'DIRECTIVE_OUTCOME_REJECTED',
      detail: `expired at ${new Date(ISSUED + 72 * HOUR).toISOString()} before it arrived`,
      state: 'ACTION_NONE',
    });
  });

  it('restores as an upheld appeal would: a mistaken suspension, so the chances it cost are given back', async () => {
    const { applier, engine, ours, recorded, now } = carrierCtcc();
    const at = (id: string, kind: admin.DirectiveKind, ms: number) => {
      now.ms = ms;
      return applier.apply(onNumber(id, kind, '19100009999'));
    };
    expect((await at('d-0', admin.DirectiveKind.DIRECTIVE_KIND_RESTORE, ISSUED)).detail).toBe(
      'not restricted or suspended (NONE): nothing to restore',
    );
    // Suspended, re-activated after an ID check (the one chance), suspended again.
    await at('d-1', admin.DirectiveKind.DIRECTIVE_KIND_SUSPEND, ISSUED);
    expect(engine.reactivation(ours, true, ISSUED + HOUR).reactivation).toBe('RESTORED');
    await at('d-2', admin.DirectiveKind.DIRECTIVE_KIND_SUSPEND, ISSUED + 2 * HOUR);
    expect(engine.reactivation(ours, true, ISSUED + 3 * HOUR).reactivation).toBe('REFER_TO_POLICE');
    expect(await at('d-3', admin.DirectiveKind.DIRECTIVE_KIND_RESTORE, ISSUED + 4 * HOUR)).toEqual({
      directiveId: 'd-3',
      outcome: 'DIRECTIVE_OUTCOME_APPLIED',
      detail: 'restored from SUSPEND without using a re-activation chance',
      state: 'ACTION_NONE',
    });
    expect(recorded.at(-1)).toMatchObject({
      action: Action.Restore,
      previous: Action.Suspend,
      reasons: [ReasonCode.AppealUpheld],
    });
    expect(engine.primary.standingOf(msisdnKey(ours))?.chancesUsedAt).toEqual([]);
  });

  it('rejects a RESTORE of a number the police confirmed in the registry, saying why; it stays suspended', async () => {
    const { applier, engine, ours, recorded, now } = carrierCtcc();
    engine.registryChanged(ours, 'CONFIRMED', ISSUED);
    expect(engine.levelOf(ours, now.ms)).toBe(Action.Suspend);
    const before = recorded.length;
    expect(
      await applier.apply(onNumber('d-confirmed', admin.DirectiveKind.DIRECTIVE_KIND_RESTORE, '19100009999')),
    ).toEqual({
      directiveId: 'd-confirmed',
      outcome: 'DIRECTIVE_OUTCOME_REJECTED',
      detail:
        '+8619100009999 is CONFIRMED in the registry (police-confirmed fraud): ' +
        'no carrier restores it, only a police clearance does; stays SUSPEND',
      state: 'ACTION_SUSPEND',
    });
    expect(recorded).toHaveLength(before);
    expect(engine.levelOf(ours, now.ms)).toBe(Action.Suspend);
  });

  it('reviews our subscriber: measured under the active policy, raised if the evidence says so', async () => {
    const { applier, engine, ours } = carrierCtcc();
    const review = (id: string) =>
      applier.apply(onNumber(id, admin.DirectiveKind.DIRECTIVE_KIND_REVIEW, '19100009999'));
    expect(await review('d-1')).toEqual({
      directiveId: 'd-1',
      outcome: 'DIRECTIVE_OUTCOME_APPLIED',
      detail: 'reviewed under default@5: score 0; stays NONE',
      state: 'ACTION_NONE',
    });
    engine.knowRegistryStatus(ours, 'CONFIRMED');
    expect(await review('d-2')).toEqual({
      directiveId: 'd-2',
      outcome: 'DIRECTIVE_OUTCOME_APPLIED',
      detail: 'reviewed under default@5: score 1 (REGISTRY_CONFIRMED); raised from NONE to SUSPEND',
      state: 'ACTION_SUSPEND',
    });
    expect(
      (await applier.apply(onNumber('d-3', admin.DirectiveKind.DIRECTIVE_KIND_REVIEW, '13800000001'))).outcome,
    ).toBe('DIRECTIVE_OUTCOME_REJECTED');
  });

  it('replaces the engine’s high-risk cell list with a newer one, keeps it, never goes back', async () => {
    const { applier, engine, cells, stored } = carrierCtcc();
    const at = ISSUED + HOUR;
    expect(await applier.apply(cellList('l-2', 2, ['460-11-23456-1', '460-11-23456-2']))).toEqual({
      directiveId: 'l-2',
      outcome: 'DIRECTIVE_OUTCOME_APPLIED',
      detail: 'list version 2, 2 cells',
      state: 'ACTION_UNSPECIFIED',
    });
    expect(engine.isHighRiskCell('460-11-23456-1', at)).toBe(true);
    expect(stored().version).toBe(2);
    expect((await applier.apply(cellList('l-3', 3, ['460-11-23456-2']))).detail).toBe('list version 3, 1 cell');
    expect([engine.isHighRiskCell('460-11-23456-1', at), engine.isHighRiskCell('460-11-23456-2', at)]).toEqual([
      false,
      true,
    ]);
    // The older list, delivered late (it was never acknowledged), is acknowledged without undoing the newer one.
    expect((await applier.apply(cellList('l-1', 1, ['460-11-99999-9']))).detail).toBe(
      'list version 1 not applied: version 3 (1 cell) is newer and in force',
    );
    expect(engine.isHighRiskCell('460-11-99999-9', at)).toBe(false);
    expect(cells.list.version).toBe(3);
  });

  it('loads the stored list into the engine at start-up', async () => {
    const first = carrierCtcc();
    await first.applier.apply(cellList('l-5', 5, ['460-11-23456-7']));
    const restarted = carrierCtcc();
    const repository = { load: async () => first.stored() } as unknown as HighRiskCellsRepository;
    // The list reaches the engine through its apply path, as every change does.
    const analysis = { apply: async (command: EngineCommand) => applyCommand(restarted.engine, command) };
    await new HighRiskCells(repository, analysis as unknown as AnalysisService).onModuleInit();
    expect(restarted.engine.isHighRiskCell('460-11-23456-7', ISSUED + HOUR)).toBe(true);
  });
});
