import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { grpcError, TestClock } from '@app/testing';
import { aFlag, RegistryHarness } from '../../registry/test/registry-harness';
import { aDecisionItem, AdminHarness, directiveStream } from './admin-harness';

interface CaseJson {
  caseId: string;
  msisdn: string;
  owner: string;
  status: string;
  openedAt: string;
  dueAt?: string;
  events: { at: string; actor: string; what: string }[];
}

const HOUR_MS = 3_600_000;
const timestampAt = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 });

describe('Cases: one per suspension, with a service-level clock and escalation (e2e, with the registry)', () => {
  let registry: RegistryHarness;
  let admin: AdminHarness;
  const clock = new TestClock();

  beforeAll(async () => {
    registry = await RegistryHarness.start();
    admin = await AdminHarness.start({
      keyDir: registry.keyDir,
      clock,
      env: { REGISTRY_ADDRESS: registry.address, CASE_SLA_HOURS: '1' },
    });
  });
  afterAll(async () => {
    await admin.close();
    await registry.close();
  });
  beforeEach(() => clock.runAhead(0));

  const feed = (carrier: string, msisdn: string, action: string, reasons: string[], atMs: number) =>
    admin
      .client(`carrier:${carrier}`)
      .submitCarrierFeed({ items: [aDecisionItem(msisdn, `ACTION_${action}`, { reasons, at: timestampAt(atMs) })] });
  const casesOf = async (msisdn: string, query = ''): Promise<CaseJson[]> =>
    (await admin.get<{ cases: CaseJson[] }>(`/api/cases${query}`, 'police')).body.cases.filter(
      (c) => c.msisdn === msisdn,
    );
  /**
   * Police clear the number in the registry (flagged first, as it would be);
   * the admin hears of it on the change feed.
   */
  const policeClear = async (msisdn: string) => {
    await registry.client('carrier:CTCC').submitFlags({ flags: [aFlag(msisdn)] });
    return registry.client('police', 'officer-0427').verifyNumber({
      idempotencyKey: `clear-${msisdn}`,
      msisdn,
      outcome: 'VERIFICATION_OUTCOME_CLEARED' as never,
      caseId: 'CD-2024-0117',
      note: 'courier',
    });
  };
  const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('opens a case at the owner’s suspension, clocked from police clearance, resolved at the restore', async () => {
    const msisdn = '+8619100000021';
    const suspendedAt = Date.now() - 30 * 60_000;
    await feed('CTCC', msisdn, 'SUSPEND', ['CORROBORATED_REPORTS'], suspendedAt);

    const [opened] = await casesOf(msisdn, '?status=OPEN');
    expect(opened).toEqual({
      caseId: expect.stringMatching(/^SC-\d{8}-0001$/),
      msisdn,
      owner: 'CTCC',
      status: 'CASE_STATUS_OPEN',
      openedAt: new Date(suspendedAt).toISOString(),
      events: [
        {
          at: new Date(suspendedAt).toISOString(),
          actor: 'carrier:CTCC',
          what: expect.stringMatching(/^SUSPEND by CTCC: CORROBORATED_REPORTS \(policy default@1, score 0.8\)/),
        },
      ],
    });

    const { version } = await policeClear(msisdn);
    const [clocked] = await until(
      () => casesOf(msisdn),
      ([c]) => c?.dueAt !== undefined,
      'the clearance to reach the case',
    );
    const [{ cleared_at: clearedAt }] = await admin.sql<{ cleared_at: Date }>(
      'SELECT cleared_at FROM case_file WHERE case_id = $1',
      [opened!.caseId],
    );
    expect(clocked!.dueAt).toBe(new Date(clearedAt.getTime() + HOUR_MS).toISOString());
    expect(clocked!.events.at(-1)).toEqual({
      at: clearedAt.toISOString(),
      actor: 'police',
      what: `police cleared the number (registry version ${version}): to be restored within 1 h`,
    });

    await feed('CTCC', msisdn, 'RESTORE', ['POLICE_CLEARED'], Date.now());
    const [resolved] = await casesOf(msisdn, '?status=RESOLVED');
    expect(resolved).toMatchObject({ caseId: opened!.caseId, status: 'CASE_STATUS_RESOLVED' });
    expect(resolved!.events.map((e) => e.actor)).toEqual(['carrier:CTCC', 'police', 'carrier:CTCC']);
    expect(await casesOf(msisdn, '?status=OPEN')).toEqual([]);
  });

  it('escalates a case not restored when due, with an event and a warning; a late restore leaves it so', async () => {
    const msisdn = '+8619100000022';
    const now = Date.now();
    await feed('CTCC', msisdn, 'SUSPEND', ['CALL_BURST', 'SHORT_CALLS'], now - 20 * 60_000);
    await policeClear(msisdn);
    const [clocked] = await until(
      () => casesOf(msisdn),
      ([c]) => c?.dueAt !== undefined,
      'the clearance to reach the case',
    );

    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      clock.runAhead(2 * HOUR_MS);
      const [escalated] = await casesOf(msisdn);
      expect(escalated).toMatchObject({ caseId: clocked!.caseId, status: 'CASE_STATUS_ESCALATED' });
      expect(escalated!.events.at(-1)).toEqual({
        at: expect.any(String),
        actor: 'admin',
        what: `escalated: not restored by ${clocked!.dueAt}, 1 h after the police clearance`,
      });
      expect(Date.parse(escalated!.events.at(-1)!.at)).toBeGreaterThanOrEqual(now + 2 * HOUR_MS);
      expect(warn).toHaveBeenCalledWith(
        `case ${clocked!.caseId} escalated: ${msisdn} not restored within 1 h of its police clearance ` +
          `(due ${clocked!.dueAt})`,
      );
    } finally {
      warn.mockRestore();
    }
    const police = admin.client('police');
    expect((await police.listCases({ status: 'CASE_STATUS_ESCALATED' as never })).cases.map((c) => c.caseId)).toContain(
      clocked!.caseId,
    );

    // Restored after the due time: the case ends, still escalated.
    const restoredAt = now + 100 * 60_000;
    await feed('CTCC', msisdn, 'RESTORE', ['POLICE_CLEARED'], restoredAt);
    const [late] = await casesOf(msisdn);
    expect(late!.status).toBe('CASE_STATUS_ESCALATED');
    expect(await admin.sql('SELECT resolved_at FROM case_file WHERE case_id = $1', [clocked!.caseId])).toEqual([
      { resolved_at: new Date(restoredAt) },
    ]);
    await expect(admin.client('carrier:CTCC').listCases({})).rejects.toMatchObject(grpcError(status.PERMISSION_DENIED));
  });

  it('follows a cross-network case: reports, the directive, its delivery and the owner applying it', async () => {
    const msisdn = '+8619100000023';
    await feed('CMCC', msisdn, 'REPORT', ['FOREIGN_HARASSMENT'], Date.now() - 10 * 60_000);
    const issued = await admin.http<{ directive: { directiveId: string } }>('POST', '/api/directives', {
      role: 'admin:sichuan',
      subject: 'officer-li',
      body: { msisdn, kind: 'SUSPEND', reason: 'harasses CMCC subscribers' },
    });
    const id = issued.body.directive.directiveId;
    const stream = directiveStream(admin.client('carrier:CTCC'));
    await until(
      async () => stream.received,
      (received) => received.some((d) => d.directiveId === id),
      'the directive to reach CTCC',
    );
    stream.ack(id, 'APPLIED', 'suspended after review', 'ACTION_SUSPEND');

    const [found] = await until(
      () => casesOf(msisdn),
      ([c]) => c?.events.some((e) => e.what.includes('applied')) === true,
      'the case',
    );
    expect(found).toMatchObject({ owner: 'CTCC', status: 'CASE_STATUS_OPEN' });
    // The correlation policy also asked CTCC for a review on CMCC's report: part of the story too.
    const review = found!.events.find((e) => e.actor === 'admin-policy');
    expect(review?.what).toMatch(/^REVIEW directive .* issued to CTCC/);
    const reviewId = review!.what.split(' ')[2]!;
    expect(found!.events.filter((e) => !e.what.includes(reviewId)).map((e) => [e.actor, e.what])).toEqual([
      ['carrier:CMCC', expect.stringMatching(/^REPORT by CMCC: FOREIGN_HARASSMENT/)],
      ['officer-li', `SUSPEND directive ${id} issued to CTCC: harasses CMCC subscribers`],
      ['admin', `directive ${id} delivered to CTCC`],
      ['carrier:CTCC', `CTCC applied SUSPEND directive ${id}: suspended after review`],
    ]);
    stream.close();
  });
});
