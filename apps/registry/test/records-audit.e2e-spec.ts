import { Client } from 'pg';
import { status } from '@grpc/grpc-js';
import type { registry as wire } from '@app/contracts';
import { grpcError } from '@app/testing';
import { aFlag, numbers, RegistryHarness, type RegistryClient } from './registry-harness';

const kindOf = (entry: wire.HistoryEntry) =>
  entry.flag ? 'flag' : entry.verification ? 'verification' : entry.statusChange ? 'status_change' : 'empty';

describe('GetNumberRecord and the audit log (registry over gRPC)', () => {
  let registry: RegistryHarness;
  let carrier: RegistryClient;
  let police: RegistryClient;
  let auditor: RegistryClient;
  const [msisdn] = numbers(1, 700);

  beforeAll(async () => {
    registry = await RegistryHarness.start();
    carrier = registry.client('carrier:CTCC');
    police = registry.client('police', 'officer-0427');
    auditor = registry.client('auditor', 'auditor-1');
    await carrier.submitFlags({ flags: [aFlag(msisdn)] });
    await registry
      .client('carrier:CMCC')
      .submitFlags({ flags: [aFlag(msisdn, { source: 'carrier:CMCC', reasonCodes: ['CORROBORATED_REPORTS'] })] });
    await police.verifyNumber({
      idempotencyKey: 'clear-700',
      msisdn,
      outcome: 'VERIFICATION_OUTCOME_CLEARED' as never,
      caseId: 'CD-2024-0117',
      note: 'courier',
    });
  });
  afterAll(() => registry.close());

  it('gives the whole history in order: flags with source and evidence, verifications, status changes', async () => {
    const record = await police.getNumberRecord({ msisdn, purpose: 'appeal review', caseId: 'CD-2024-0117' });
    expect(record).toMatchObject({ msisdn, status: 'NUMBER_STATUS_CLEARED', nextPageToken: '' });
    expect(record.history.map(kindOf)).toEqual(['flag', 'status_change', 'flag', 'verification', 'status_change']);
    const [first, change] = record.history;
    expect(first.flag).toMatchObject({
      source: 'carrier:CTCC',
      reasonCodes: ['CALL_BURST'],
      evidence: expect.objectContaining({ summary: '26 calls to 24 numbers in 85 minutes' }),
    });
    expect(first.flag?.evidence?.cells).toEqual([
      expect.objectContaining({ cell: '460-11-23456-1', activity: 'call' }),
    ]);
    expect(change.statusChange).toMatchObject({
      status: 'NUMBER_STATUS_SUSPECTED',
      previousStatus: 'NUMBER_STATUS_NOT_LISTED',
    });
    expect(record.history[3].verification).toMatchObject({
      outcome: 'VERIFICATION_OUTCOME_CLEARED',
      caseId: 'CD-2024-0117',
      verifiedBy: 'officer-0427',
    });
  });

  it('pages through the history with no entry lost or repeated', async () => {
    const all = await police.getNumberRecord({ msisdn, purpose: 'paging' });
    const seen: wire.HistoryEntry[] = [];
    let pageToken = '';
    do {
      const page = await police.getNumberRecord({ msisdn, purpose: 'paging', page: { pageSize: 2, pageToken } });
      expect(page.history.length).toBeLessThanOrEqual(2);
      seen.push(...page.history);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(all.history);
  });

  it('requires a purpose and a valid page token', async () => {
    await expect(police.getNumberRecord({ msisdn })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'purpose'),
    );
    await expect(police.getNumberRecord({ msisdn: 'abc', purpose: 'x' })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'msisdn'),
    );
    await expect(
      police.getNumberRecord({ msisdn, purpose: 'x', page: { pageSize: 1, pageToken: 'garbage' } }),
    ).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, 'page.page_token'));
  });

  it('writes every read of a record to the audit log, with purpose and case, refused ones included', async () => {
    await registry.client('analyst', 'analyst-7').getNumberRecord({ msisdn, purpose: 'weekly oversight' });
    await expect(registry.client('analyst', 'analyst-7').getNumberRecord({ msisdn })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
    const { events } = await auditor.listAuditEvents({
      target: msisdn,
      action: 'fraud.registry.v1.RegistryService/GetNumberRecord',
      page: { pageSize: 1000, pageToken: '' },
    });
    expect(events).toContainEqual(
      expect.objectContaining({
        actor: 'officer-0427',
        role: 'police',
        purpose: 'appeal review',
        caseId: 'CD-2024-0117',
        outcome: 'OK',
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ actor: 'analyst-7', purpose: 'weekly oversight', outcome: 'OK' }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ actor: 'analyst-7', purpose: '', outcome: 'INVALID_ARGUMENT' }),
    );
    const verifications = await auditor.listAuditEvents({ action: 'fraud.registry.v1.RegistryService/VerifyNumber' });
    expect(verifications.events).toEqual([
      expect.objectContaining({ actor: 'officer-0427', target: msisdn, caseId: 'CD-2024-0117', outcome: 'OK' }),
    ]);
  });

  it('audits a refused read with an over-long number and purpose without failing the other audited calls', async () => {
    const long = '9'.repeat(60);
    const [refused, served] = await Promise.allSettled([
      police.getNumberRecord({ msisdn: long, purpose: 'x'.repeat(600) }),
      police.getNumberRecord({ msisdn, purpose: 'beside a long one' }),
    ]);
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: status.INVALID_ARGUMENT } });
    expect(served.status).toBe('fulfilled');
    const { events } = await auditor.listAuditEvents({
      outcome: 'INVALID_ARGUMENT',
      page: { pageSize: 1000, pageToken: '' },
    });
    expect(events).toContainEqual(
      expect.objectContaining({ target: `${'9'.repeat(31)}…`, purpose: `${'x'.repeat(499)}…` }),
    );
  });

  it('audits reads with a NUL in number or purpose (escaped), refused or not, and calls sent with them', async () => {
    const requests = [
      { msisdn, purpose: 'before\u0000after' },
      { msisdn: '1911234\u00005678', purpose: 'nul in the number' },
      { msisdn, purpose: 'beside the NUL bytes' },
      { msisdn, purpose: 'tab\tand escape \u001b[2J and a \\ too', caseId: 'case\u0000' },
    ];
    const calls = await Promise.allSettled(requests.map((request) => police.getNumberRecord(request)));
    const outcomes = calls.map((call) =>
      call.status === 'fulfilled' ? 'OK' : status[(call.reason as { code: number }).code],
    );
    expect(outcomes[1]).toBe('INVALID_ARGUMENT');
    expect(outcomes[2]).toBe('OK');
    const { events } = await auditor.listAuditEvents({
      action: 'fraud.registry.v1.RegistryService/GetNumberRecord',
      page: { pageSize: 1000, pageToken: '' },
    });
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ target: msisdn, purpose: 'before\\u0000after', outcome: outcomes[0] }),
        expect.objectContaining({ target: '1911234\\u00005678', purpose: 'nul in the number', outcome: outcomes[1] }),
        expect.objectContaining({ target: msisdn, purpose: 'beside the NUL bytes', outcome: outcomes[2] }),
        expect.objectContaining({
          purpose: 'tab\\u0009and escape \\u001b[2J and a \\\\ too',
          caseId: 'case\\u0000',
          outcome: outcomes[3],
        }),
      ]),
    );
    // A search holding the raw bytes is refused like any request; the line's escaped target, as shown, finds it.
    await expect(auditor.listAuditEvents({ target: '1911234\u00005678' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
    expect((await auditor.listAuditEvents({ target: '1911234\\u00005678' })).events).toHaveLength(1);
    expect(await auditor.verifyAuditChain()).toMatchObject({ intact: true });
  });

  it('stores every line’s number in E.164, so a search in either form finds a look-up made in the other', async () => {
    const [other] = numbers(1, 701);
    const national = other.slice(3);
    await police.getNumberRecord({ msisdn: national, purpose: 'looked up in national form' });
    await police.getNumberRecord({ msisdn: other, purpose: 'looked up in E.164' });
    for (const form of [national, other]) {
      const { events } = await auditor.listAuditEvents({ target: form });
      expect(events.map((e) => [e.target, e.hashedTarget, e.purpose])).toEqual([
        [other, '', 'looked up in national form'],
        [other, '', 'looked up in E.164'],
      ]);
    }
  });

  it('pages the audit log and filters it by actor and time', async () => {
    const all = await auditor.listAuditEvents({ page: { pageSize: 1000, pageToken: '' } });
    const paged: wire.AuditEvent[] = [];
    let pageToken = '';
    do {
      const page = await auditor.listAuditEvents({ page: { pageSize: 3, pageToken } });
      paged.push(...page.events);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(paged.map((e) => e.id)).toEqual(all.events.map((e) => e.id));
    const mine = await auditor.listAuditEvents({ actor: 'officer-0427' });
    expect(mine.events.length).toBeGreaterThan(0);
    expect(mine.events.every((e) => e.actor === 'officer-0427')).toBe(true);
    const forged = Buffer.from(JSON.stringify({ id: '1; drop' })).toString('base64url');
    await expect(auditor.listAuditEvents({ page: { pageSize: 3, pageToken: forged } })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'page.page_token'),
    );
    const future = await auditor.listAuditEvents({
      since: { seconds: Math.floor(Date.now() / 1000) + 3600, nanos: 0 },
    });
    expect(future.events).toEqual([]);
  });

  it('keeps the log append-only and shows any tampering in the hash chain', async () => {
    expect(await auditor.verifyAuditChain()).toMatchObject({ intact: true, firstBrokenId: 0 });
    const client = new Client({ connectionString: registry.db.url });
    await client.connect();
    try {
      await expect(client.query(`UPDATE audit_event SET purpose = 'nothing to see' WHERE id = 2`)).rejects.toThrow(
        'append-only',
      );
      await expect(client.query(`DELETE FROM audit_event WHERE id = 2`)).rejects.toThrow('append-only');
      // Only someone who can disable the trigger can edit a line; the chain still tells.
      await client.query(`ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change`);
      await client.query(`UPDATE audit_event SET purpose = 'nothing to see' WHERE id = 2`);
      await client.query(`ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change`);
    } finally {
      await client.end();
    }
    expect(await auditor.verifyAuditChain()).toMatchObject({ intact: false, firstBrokenId: 2 });
  });
});
