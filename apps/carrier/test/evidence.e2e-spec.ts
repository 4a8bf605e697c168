import { Action, ReasonCode, type Msisdn } from '@app/domain';
import { rowsOf } from '@app/testing';
import { AnalysisService } from '../src/analysis/analysis.service';
import { DecisionRecorder } from '../src/decisions/decision-recorder.service';
import { CarrierHarness, ingest, type CarrierClient } from './carrier-harness';
import { evidenceFile, send, storedDecisions, storedWarningsAndNotices } from './evidence-file';
import { activateTermlessDefault, query, registryChange, subscribe } from './ladder-helpers';

/**
 * The engine's evidence survives restarts (snapshot at shut-down, journal
 * after it): a restart in the middle of a file changes no decision, and a
 * file sent again after a restart decides nothing twice.
 */
describe('carrier evidence across restarts (e2e)', () => {
  const file = evidenceFile('evidence');
  let reference: CarrierHarness;
  let expected: Record<string, unknown>[];

  beforeAll(async () => {
    reference = await CarrierHarness.start('CTCC');
    await send(reference.client(), file.streams);
    expected = await storedDecisions(reference.db.url);
  });
  afterAll(() => reference.close());

  const restrictedOf = async (url: string): Promise<Msisdn[]> =>
    (
      await rowsOf<{ msisdn: Msisdn }>(
        url,
        `SELECT DISTINCT msisdn FROM decision WHERE action = 'RESTRICT' AND NOT shadow ORDER BY msisdn`,
      )
    ).map((r) => r.msisdn);

  it('the file decides something worth keeping: restrictions among the fraud numbers', async () => {
    const restricted = await restrictedOf(reference.db.url);
    expect(restricted.length).toBeGreaterThanOrEqual(5);
    expect(restricted.filter((m) => file.fraud.includes(m)).length).toBeGreaterThanOrEqual(5);
  });

  it('restarted halfway through the file: the same decisions, notices and warnings as without a restart', async () => {
    const carrier = await CarrierHarness.start('CTCC');
    try {
      const half = Math.floor(file.streams.length / 2);
      await send(carrier.client(), file.streams.slice(0, half));
      await carrier.stop();
      await carrier.boot();
      const lineage = carrier.app.get(AnalysisService).evidenceLineage;
      const [snapshot] = await rowsOf<{ seq: string }>(
        carrier.db.url,
        `SELECT seq FROM engine_snapshot WHERE lineage = $1 ORDER BY seq DESC LIMIT 1`,
        [lineage],
      );
      // The snapshot taken at shut-down covers every batch sent: the next start replayed nothing.
      expect(Number(snapshot.seq)).toBeGreaterThanOrEqual(half * 5);
      await send(carrier.client(), file.streams.slice(half));
      expect(await storedDecisions(carrier.db.url)).toEqual(expected);
      expect(await storedWarningsAndNotices(carrier.db.url)).toEqual(await storedWarningsAndNotices(reference.db.url));
    } finally {
      await carrier.close();
    }
  });

  describe('memory never runs ahead of the database', () => {
    let carrier: CarrierHarness;
    let client: CarrierClient;
    let analysis: AnalysisService;
    let recorder: DecisionRecorder;

    beforeAll(async () => {
      carrier = await CarrierHarness.start('CTCC');
      client = carrier.client();
      analysis = carrier.app.get(AnalysisService);
      recorder = carrier.app.get(DecisionRecorder);
    });
    afterAll(() => carrier.close());
    afterEach(() => jest.restoreAllMocks());

    const restrict = (msisdn: Msisdn) =>
      analysis.apply({
        kind: 'impose',
        msisdn,
        action: Action.Restrict,
        reason: ReasonCode.Directive,
        atMs: Date.now(),
      });
    const verdict = async (caller: Msisdn) => (await client.checkCall({ caller, callee: '+8613800000000' })).verdict;

    it('call setup acts on a restriction only once it is committed', async () => {
      const [number] = await subscribe(carrier, client, ['13349000777']);
      const writeIn = recorder.writeIn.bind(recorder);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      jest.spyOn(recorder, 'writeIn').mockImplementationOnce(async (em, steps) => {
        await held;
        return writeIn(em, steps);
      });
      const restricted = restrict(number);
      await new Promise((resolve) => setImmediate(resolve));
      // The engine took the step; its write is held, so call setup and explanations still see the number as stored.
      expect(analysis.levelInTransaction(number, Date.now())).toBe(Action.Restrict);
      expect(analysis.state.levelOf(number, Date.now())).toBe(Action.None);
      expect(await verdict(number)).toBe('CALL_VERDICT_ALLOW');
      release();
      await restricted;
      expect(await verdict(number)).toBe('CALL_VERDICT_BLOCK');
    });

    it('a write that fails: UNAVAILABLE, never acted on, and the engine rebuilt without it', async () => {
      const [number, other] = await subscribe(carrier, client, ['13349000778', '13349000779']);
      jest.spyOn(recorder, 'writeIn').mockRejectedValueOnce(new Error('connection lost'));
      await expect(restrict(number)).rejects.toMatchObject({ kind: 'UNAVAILABLE' });
      expect(await verdict(number)).toBe('CALL_VERDICT_ALLOW');
      await analysis.current();
      expect(analysis.levelInTransaction(number, Date.now())).toBe(Action.None);
      expect(await query(carrier, `SELECT count(*)::int AS n FROM decision WHERE msisdn = $1`, [number])).toEqual([
        { n: 0 },
      ]);
      // Sent again, it is applied.
      await restrict(other);
      await restrict(number);
      expect(await verdict(number)).toBe('CALL_VERDICT_BLOCK');
    });
  });

  describe('sent again after a restart', () => {
    let carrier: CarrierHarness;
    let client: CarrierClient;
    let cleared: Msisdn;

    beforeAll(async () => {
      carrier = await CarrierHarness.start('CTCC');
      client = carrier.client();
      // Restrictions without a term: the file is dated 2024, and call setup reads the step on today's clock.
      await activateTermlessDefault(client);
      await send(client, file.streams);
      [cleared] = await restrictedOf(carrier.db.url);
      expect(carrier.app.get(AnalysisService).state.levelOf(cleared, Date.now())).toBe(Action.Restrict);
      // The police cleared one restricted number in the registry: the carrier restores it.
      await registryChange(carrier, cleared, 'CLEARED');
      await carrier.stop();
      await carrier.boot();
      client = carrier.client();
    });
    afterAll(() => carrier.close());

    it('stores no decision twice (once-a-day memories such as a report attack are restored too)', async () => {
      const before = await storedDecisions(carrier.db.url);
      // Every event is known (a duplicate) or too old to analyse (late): none is analysed a second time.
      for (const stream of file.streams) {
        const answer = await ingest(client, stream);
        expect(answer.accepted).toBe(0);
        expect(answer.duplicates + answer.late).toBe(stream.flat().length);
      }
      expect(await storedDecisions(carrier.db.url)).toEqual(before);
    });

    it('keeps a police-cleared number restored: call setup allows it, the last decision is the RESTORE', async () => {
      expect(await client.checkCall({ caller: cleared, callee: '+8613800000000' })).toMatchObject({
        verdict: 'CALL_VERDICT_ALLOW',
      });
      expect(carrier.app.get(AnalysisService).state.levelOf(cleared, Date.now())).toBe(Action.None);
      const [last] = await rowsOf<{ action: string; reasons: string[] }>(
        carrier.db.url,
        `SELECT action, reasons FROM decision WHERE msisdn = $1 AND NOT shadow ORDER BY at DESC, id DESC LIMIT 1`,
        [cleared],
      );
      expect(last).toEqual({ action: 'RESTORE', reasons: ['REGISTRY_CLEARED'] });
    });
  });
});
