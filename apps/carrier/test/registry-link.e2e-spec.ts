import { RegistryRelay } from '../src/outbox/registry-relay.service';
import { ingest, toWire } from './carrier-harness';
import { eventually, query, startLinked, type LinkedServices } from './linked-services';
import { mixedTraffic } from './traffic';

const EVENTS = 100_000;
const BATCH = 500;
const STREAMS = 8;

describe('carrier → registry: 100,000 events, the registry stopped and started midway', () => {
  let linked: LinkedServices;

  beforeAll(async () => {
    linked = await startLinked('CTCC');
  });
  afterAll(() => linked.close());

  const carrierDb = () => linked.carrier.db.url;
  const registryDb = () => linked.registry.db.url;
  const count = async (url: string, sql: string, params: unknown[] = []) =>
    Number((await query<{ n: string }>(url, sql, params))[0].n);
  const pendingFlags = () =>
    count(
      carrierDb(),
      `SELECT count(*) AS n FROM outbox WHERE destination = 'REGISTRY' AND delivered_at IS NULL AND failed_at IS NULL`,
    );

  it('delivers every flag exactly once in effect, while ingestion goes on during the outage', async () => {
    const started = Date.now();
    const traffic = mixedTraffic({ honestCallers: 1500, fraudCallers: 300, total: EVENTS });
    const batches = toWire(traffic.events, BATCH, 'cdr');
    const perStream = Math.ceil(batches.length / STREAMS);
    const client = linked.carrier.client();

    let accepted = 0;
    let backlogDuringOutage = 0;
    for (let s = 0; s < STREAMS; s++) {
      if (s === 3) await linked.registry.stop();
      if (s === 6) {
        backlogDuringOutage = await pendingFlags();
        // The relay kept trying (and keeping) them while the registry was down.
        await eventually(
          () =>
            count(
              carrierDb(),
              `SELECT count(*) AS n FROM outbox
               WHERE delivered_at IS NULL AND attempts > 1 AND last_error LIKE 'UNAVAILABLE%'`,
            ),
          (n) => n > 0,
        );
        await linked.registry.boot();
      }
      const response = await ingest(client, batches.slice(s * perStream, (s + 1) * perStream));
      expect(response).toMatchObject({ rejected: 0, late: 0, duplicates: 0 });
      accepted += response.accepted;
    }
    expect(accepted).toBe(EVENTS);
    // Decisions were taken and queued while the registry was away.
    expect(backlogDuringOutage).toBeGreaterThan(0);

    await eventually(pendingFlags, (n) => n === 0, 30_000);
    const outbox = await query<{ idempotency_key: string; failed_at: Date | null }>(
      carrierDb(),
      `SELECT idempotency_key, failed_at FROM outbox WHERE destination = 'REGISTRY'`,
    );
    const flaggingDecisions = await count(
      carrierDb(),
      `SELECT count(*) AS n FROM decision WHERE NOT shadow AND action IN ('RESTRICT', 'SUSPEND')`,
    );
    expect(outbox).toHaveLength(flaggingDecisions);
    expect(outbox.filter((m) => m.failed_at !== null)).toEqual([]);

    // One flag in the registry per flagging decision: no message lost, none doubled.
    const flags = await query<{ idempotency_key: string; msisdn: string }>(
      registryDb(),
      `SELECT idempotency_key, msisdn FROM flag WHERE source = 'carrier:CTCC'`,
    );
    expect(flags).toHaveLength(flaggingDecisions);
    expect(new Set(flags.map((f) => f.idempotency_key))).toEqual(new Set(outbox.map((m) => m.idempotency_key)));

    // Exactly the fraud callers are listed, and the registry says so.
    const flagged = [...new Set(flags.map((f) => f.msisdn))];
    expect(new Set(flagged)).toEqual(new Set(traffic.fraud));
    const { results } = await linked.registry.client('carrier:CTCC').checkNumbers({ msisdns: flagged });
    expect(results.filter((r) => r.status !== 'NUMBER_STATUS_SUSPECTED')).toEqual([]);

    // The follower came back too: the carrier's copy of the registry is at the registry's head.
    const head = await count(registryDb(), `SELECT coalesce(max(version), 0) AS n FROM status_change`);
    await eventually(
      () => count(carrierDb(), `SELECT version AS n FROM registry_cursor`),
      (v) => v === head,
    );
    expect(await count(carrierDb(), `SELECT count(*) AS n FROM registry_status WHERE status = 'SUSPECTED'`)).toBe(
      flagged.length,
    );

    console.log(
      `${EVENTS} events, ${flaggingDecisions} flags (${backlogDuringOutage} queued during the outage) ` +
        `delivered in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });

  it('counts a resend after a lost answer as delivered: the registry replays it, no second flag appears', async () => {
    const before = await count(registryDb(), `SELECT count(*) AS n FROM flag`);
    // As if the carrier had crashed after the registry accepted these, before marking them.
    const lost = `SELECT id FROM outbox WHERE destination = 'REGISTRY' ORDER BY id LIMIT 50`;
    const attempts = await count(carrierDb(), `SELECT sum(attempts) AS n FROM outbox WHERE id IN (${lost})`);
    await query(carrierDb(), `UPDATE outbox SET delivered_at = NULL WHERE id IN (${lost})`);
    await eventually(pendingFlags, (n) => n === 0);
    expect(await count(carrierDb(), `SELECT sum(attempts) AS n FROM outbox WHERE id IN (${lost})`)).toBe(attempts + 50);
    expect(await count(registryDb(), `SELECT count(*) AS n FROM flag`)).toBe(before);
  });

  it('sets aside a message the registry refuses for good, and delivers the ones behind it', async () => {
    const flag = (key: string, msisdn: string) => [
      'REGISTRY',
      key,
      msisdn,
      JSON.stringify({
        msisdn,
        source: 'carrier:CTCC',
        reasonCodes: ['CALL_BURST'],
        score: 0.8,
        evidence: {
          summary: 'calls_90m 26 (threshold 20)',
          windowStart: Date.parse('2024-04-01T08:00:00Z'),
          windowEnd: Date.parse('2024-04-01T09:30:00Z'),
          measures: [{ name: 'calls_90m', value: 26, threshold: 20 }],
          cells: [],
        },
        observedAt: Date.parse('2024-04-01T09:30:00Z'),
      }),
    ];
    await query(
      carrierDb(),
      `INSERT INTO outbox (destination, idempotency_key, msisdn, payload)
       VALUES ($1, $2, $3, $4), ($5, $6, $7, $8), ($9, $10, $11, $12)`,
      [
        ...flag('CTCC-test-ok-1', '+8617199990001'),
        ...flag('CTCC-test-bad', '+86999'),
        ...flag('CTCC-test-ok-2', '+8617199990002'),
      ],
    );
    await eventually(pendingFlags, (n) => n === 0);
    const rows = await query<{
      idempotency_key: string;
      delivered: boolean;
      failed: boolean;
      last_error: string | null;
    }>(
      carrierDb(),
      `SELECT idempotency_key, delivered_at IS NOT NULL AS delivered, failed_at IS NOT NULL AS failed, last_error
       FROM outbox WHERE idempotency_key LIKE 'CTCC-test-%' ORDER BY id`,
    );
    expect(rows).toEqual([
      { idempotency_key: 'CTCC-test-ok-1', delivered: true, failed: false, last_error: null },
      {
        idempotency_key: 'CTCC-test-bad',
        delivered: false,
        failed: true,
        last_error: expect.stringMatching(/^INVALID_ARGUMENT: flags\[\d+\]\.msisdn/),
      },
      { idempotency_key: 'CTCC-test-ok-2', delivered: true, failed: false, last_error: null },
    ]);
    const { results } = await linked.registry
      .client('carrier:CTCC')
      .checkNumbers({ msisdns: ['+8617199990001', '+8617199990002'] });
    expect(results.map((r) => r.status)).toEqual(['NUMBER_STATUS_SUSPECTED', 'NUMBER_STATUS_SUSPECTED']);
    const { REGISTRY } = await linked.carrier.app.get(RegistryRelay).backlog();
    expect(REGISTRY).toEqual({ pending: 0, failed: 1, oldestPendingAt: null });
  });
});
