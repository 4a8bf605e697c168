import { status } from '@grpc/grpc-js';
import { Client } from 'pg';
import type { CarrierEvent } from '@app/domain';
import { parseExposition, sampleOf, scrapeMetrics } from '@app/testing';
import { newNumberBurst, wangiri } from '../../../libs/domain/src/carrier/fixtures';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';

describe('IngestEvents (carrier over gRPC)', () => {
  let carrier: CarrierHarness;
  let client: CarrierClient;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    client = carrier.client();
  });
  afterAll(() => carrier.close());

  async function rows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const pg = new Client({ connectionString: carrier.db.url });
    await pg.connect();
    try {
      return (await pg.query(sql, params)).rows;
    } finally {
      await pg.end();
    }
  }

  /** Fixture events this carrier can ingest (the high-risk list comes from the administration). */
  const ingestible = (events: CarrierEvent[]) => events.filter((e) => e.type !== 'high_risk_cell');

  it('analyses a stream and stores each decision with its evidence, notice and outbox messages', async () => {
    const fraud = newNumberBurst();
    const response = await ingest(client, toWire(ingestible(fraud.events), 100, 'burst'));
    expect(response).toMatchObject({ rejected: 0, late: 0, duplicates: 0 });
    expect(response.accepted).toBe(ingestible(fraud.events).length);
    expect(response.decisions).toBeGreaterThan(0);
    const decisions = await rows(
      `SELECT action, reasons, policy, evidence FROM decision WHERE msisdn = $1 AND NOT shadow ORDER BY at`,
      [fraud.subject],
    );
    expect(decisions.map((d) => d.action)).toContain('RESTRICT');
    const restrict = decisions.find((d) => d.action === 'RESTRICT')!;
    expect(restrict).toMatchObject({ policy: 'default@5', reasons: expect.arrayContaining(['LOW_ANSWER_RATE']) });
    const notices = await rows(`SELECT text FROM notice WHERE msisdn = $1`, [fraud.subject]);
    expect(notices.some((n) => String(n.text).includes('限制呼出'))).toBe(true);
    const outbox = await rows(`SELECT destination FROM outbox WHERE msisdn = $1 ORDER BY id`, [fraud.subject]);
    expect(outbox.map((o) => o.destination)).toContain('REGISTRY');
  });

  it('ignores a repeated event id, and counts it', async () => {
    const at = Date.parse('2024-03-04T10:00:00+08:00');
    const calls = Array.from({ length: 50 }, (_, i) => ({
      id: `cdr-${i}`,
      atMs: at + i * 1000,
      call: {
        caller: '19100000001',
        callee: `1910000${String(100 + i).padStart(4, '0')}`,
        durationSec: 30,
        answered: true,
        cell: '',
      },
    }));
    const first = await ingest(client, [calls.slice(0, 30), calls.slice(30)] as never);
    expect(first).toMatchObject({ accepted: 50, duplicates: 0, late: 0 });
    const again = await ingest(client, [calls.slice(10, 40)] as never);
    expect(again).toMatchObject({ accepted: 0, duplicates: 30 });
  });

  it('refuses bad events one by one, naming the message, the event and the field, and takes the rest', async () => {
    const at = Date.parse('2024-03-05T10:00:00+08:00');
    const response = await ingest(client, [
      [
        {
          id: '',
          atMs: at,
          call: { caller: '19100000001', callee: '19100000002', durationSec: 10, answered: true, cell: '' },
        },
        {
          id: '',
          atMs: at,
          call: { caller: '１９１', callee: '19100000002', durationSec: 10, answered: true, cell: '' },
        },
      ] as never,
      [
        { id: '', atMs: 0, sms: { sender: '19100000001', recipient: '19100000003', cell: '' } },
        { id: '', atMs: at },
      ] as never,
    ]);
    expect(response).toMatchObject({ accepted: 1, rejected: 3 });
    expect(response.rejections).toEqual([
      { batch: 0, index: 1, field: 'call.caller', reason: expect.stringContaining('not a phone number') },
      { batch: 1, index: 0, field: 'at_ms', reason: expect.stringContaining('milliseconds') },
      { batch: 1, index: 1, field: 'kind', reason: expect.stringContaining('needs one of') },
    ]);
  });

  it('refuses events older than the allowed lateness', async () => {
    const at = Date.parse('2024-03-06T10:00:00+08:00');
    const call = (atMs: number) => ({
      id: '',
      atMs,
      call: { caller: '19100000001', callee: '19100000002', durationSec: 10, answered: true, cell: '' },
    });
    const response = await ingest(client, [[call(at), call(at - 60_000), call(at - 3_600_000)] as never]);
    expect(response).toMatchObject({ accepted: 2, late: 1 });
    expect(response.rejections).toEqual([
      { batch: 0, index: 2, field: 'at_ms', reason: expect.stringContaining('lateness') },
    ]);
  });

  it('refuses a message over 1,000 events, and other carriers’ tokens', async () => {
    const call = {
      id: '',
      atMs: Date.now(),
      call: { caller: '19100000001', callee: '19100000002', durationSec: 1, answered: true, cell: '' },
    };
    await expect(ingest(client, [Array.from({ length: 1001 }, () => call) as never])).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('events'),
    });
    await expect(ingest(carrier.client('carrier:CMCC'), [[call as never]])).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
    await expect(ingest(carrier.client('analyst'), [[call as never]])).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
  });

  it('refuses an empty message with INVALID_ARGUMENT naming the field; answers an empty stream', async () => {
    await expect(ingest(client, [[]])).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('events: a message needs 1 to 1000 events, got none (message 0)'),
    });
    const call = {
      id: '',
      atMs: Date.parse('2024-03-06T10:00:00+08:00'),
      call: { caller: '19100000001', callee: '19100000002', durationSec: 1, answered: true, cell: '' },
    };
    await expect(ingest(client, [[call as never], []])).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('(message 1)'),
    });
    expect(await ingest(client, [])).toEqual({
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      late: 0,
      rejections: [],
      decisions: 0,
    });
  });

  it('refuses events dated ahead of its clock as future, one by one; they never make current events late', async () => {
    const future = (atMs: number, id = '') => ({
      id,
      atMs,
      call: { caller: '19100000001', callee: '19100000002', durationSec: 10, answered: true, cell: '' },
    });
    const outliers = await ingest(client, [
      [future(Date.parse('2099-12-31T00:00:00+08:00'), 'outlier-1')] as never,
      [future(Date.now() + 10 * 60_000)] as never,
    ]);
    expect(outliers).toMatchObject({ accepted: 0, rejected: 2, late: 0 });
    expect(outliers.rejections).toEqual([
      { batch: 0, index: 0, field: 'at_ms', reason: "future: more than 120 s ahead of the service's clock" },
      { batch: 1, index: 0, field: 'at_ms', reason: "future: more than 120 s ahead of the service's clock" },
    ]);

    // A wangiri run that ended a minute ago: every event is analysed, and the caller is stopped.
    const fraud = wangiri();
    const events = ingestible(fraud.events);
    const offset = Date.now() - 60_000 - events[events.length - 1].at;
    const current = events.map((e) =>
      e.type === 'subscriber'
        ? { ...e, at: e.at + offset, activatedAt: e.activatedAt + offset }
        : { ...e, at: e.at + offset },
    );
    const answer = await ingest(client, toWire(current, 100, 'current'));
    expect(answer).toMatchObject({ accepted: current.length, rejected: 0, late: 0, rejections: [] });
    expect(answer.decisions).toBeGreaterThan(0);
    expect(
      await rows(`SELECT count(*)::int AS n FROM decision WHERE msisdn = $1 AND NOT shadow AND action = 'RESTRICT'`, [
        fraud.subject,
      ]),
    ).toEqual([{ n: 1 }]);

    const series = parseExposition(await scrapeMetrics(carrier.metricsUrl));
    expect(sampleOf(series, 'fraud_events_rejected_total', { carrier: 'CTCC', reason: 'future' })).toBe(2);
  });
});
