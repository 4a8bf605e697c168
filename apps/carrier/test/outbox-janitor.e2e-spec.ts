import { Client } from 'pg';
import { OutboxJanitor } from '../src/outbox/outbox-janitor.service';
import { CarrierHarness } from './carrier-harness';

describe('the outbox janitor', () => {
  let carrier: CarrierHarness;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CBN');
  });
  afterAll(() => carrier.close());

  it('deletes delivered messages past the retention, and keeps pending, failed and recent ones', async () => {
    const pg = new Client({ connectionString: carrier.db.url });
    await pg.connect();
    try {
      const day = 86_400_000;
      const old = new Date(Date.now() - 40 * day);
      const recent = new Date(Date.now() - 2 * day);
      await pg.query(
        `INSERT INTO outbox (destination, idempotency_key, msisdn, payload, created_at, delivered_at, failed_at) VALUES
           ('REGISTRY', 'old-delivered', '+8619200000001', '{}', $1, $1, NULL),
           ('ADMIN', 'old-delivered-admin', '+8619200000002', '{}', $1, $1, NULL),
           ('REGISTRY', 'recent-delivered', '+8619200000003', '{}', $2, $2, NULL),
           ('REGISTRY', 'old-pending', '+8619200000004', '{}', $1, NULL, NULL),
           ('REGISTRY', 'old-failed', '+8619200000005', '{}', $1, NULL, $1)`,
        [old, recent],
      );
      expect(await carrier.app.get(OutboxJanitor).prune()).toBe(2);
      const { rows } = await pg.query(`SELECT idempotency_key FROM outbox ORDER BY idempotency_key`);
      expect(rows.map((r) => r.idempotency_key)).toEqual(['old-failed', 'old-pending', 'recent-delivered']);
    } finally {
      await pg.end();
    }
  });
});
