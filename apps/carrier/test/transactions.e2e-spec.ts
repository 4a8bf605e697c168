import { DataSource } from 'typeorm';
import { Action, AnalysisEngine, DEFAULT_POLICY } from '@app/domain';
import { DecisionRecorder } from '../src/decisions/decision-recorder.service';
import { CarrierHarness, type CarrierClient } from './carrier-harness';
import { query, subscribe } from './ladder-helpers';

/** Work a transaction merely starts runs on its own connections, not as part of it. */
describe('carrier transactions and the transaction guard', () => {
  let harness: CarrierHarness;
  let shop: CarrierClient;

  beforeAll(async () => {
    harness = await CarrierHarness.start('CTCC');
    shop = harness.client('carrier:CTCC', 'shop-chengdu-12');
  });
  afterAll(() => harness.close());

  it('records decisions in a group commit of its own when a caller inside a transaction starts it', async () => {
    const [msisdn] = await subscribe(harness, shop, ['13349000003']);
    const recorder = harness.app.get(DecisionRecorder);
    // A decision as the engine makes one; the service's own engine changes only through its apply path.
    const engine = new AnalysisEngine({ policy: DEFAULT_POLICY });
    const decision = engine.directive(msisdn, Action.Suspend, Date.now()).decisions[0];
    let recorded: Promise<void> | undefined;
    await harness.app.get(DataSource).transaction(async (em) => {
      recorded = recorder.record([decision]);
      await em.query('SELECT 1');
    });
    await recorded;
    expect(await query(harness, `SELECT action FROM decision WHERE msisdn = $1 AND NOT shadow`, [msisdn])).toEqual([
      { action: 'SUSPEND' },
    ]);
  });
});
