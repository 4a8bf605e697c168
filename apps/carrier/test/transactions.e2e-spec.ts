import { DataSource } from 'typeorm';
import { Action } from '@app/domain';
import { AnalysisService } from '../src/analysis/analysis.service';
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

  it('journals a change in a transaction of its own when a caller inside a transaction starts it', async () => {
    const [msisdn] = await subscribe(harness, shop, ['13349000003']);
    const analysis = harness.app.get(AnalysisService);
    let applied: Promise<unknown> | undefined;
    await harness.app.get(DataSource).transaction(async (em) => {
      applied = analysis.apply({ kind: 'directive', msisdn, action: Action.Suspend, atMs: Date.now() });
      await em.query('SELECT 1');
    });
    await applied;
    expect(await query(harness, `SELECT action FROM decision WHERE msisdn = $1 AND NOT shadow`, [msisdn])).toEqual([
      { action: 'SUSPEND' },
    ]);
  });
});
