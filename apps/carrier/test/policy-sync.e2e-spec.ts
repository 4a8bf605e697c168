import { Client } from 'pg';
import { AnalysisService } from '../src/analysis/analysis.service';
import { CarrierHarness } from './carrier-harness';

describe('policy switches made by another replica', () => {
  let carrier: CarrierHarness;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CUCC');
  });
  afterAll(() => carrier.close());

  it('are followed from the stored assignment', async () => {
    const analysis = carrier.app.get(AnalysisService);
    expect(analysis.state.primary.label).toBe('default@5');
    // What SetPolicy on another replica leaves behind: an assignment row.
    const pg = new Client({ connectionString: carrier.db.url });
    await pg.connect();
    try {
      await pg.query(
        `INSERT INTO policy_assignment (mode, name, version, reason, changed_by)
         VALUES ('ACTIVE', 'naive', 1, 'trial', 'replica-2'), ('SHADOW', 'default', 1, 'compare', 'replica-2')`,
      );
    } finally {
      await pg.end();
    }
    await analysis.syncPolicies();
    expect(analysis.state.primary.label).toBe('naive@1');
    // default@1 as stored by the first migration, without the daily threshold, still loads.
    expect(analysis.state.shadow?.label).toBe('default@1');
  });
});
