import { grpcError, until } from '@app/testing';
import { status } from '@grpc/grpc-js';
import { DirectiveExpiry } from '../src/directives/directive-expiry.service';
import { AdminHarness, directiveStream, type AdminClient } from './admin-harness';

describe('IssueDirective, StreamDirectives and ListDirectives (admin over gRPC)', () => {
  let harness: AdminHarness;
  let administration: AdminClient;
  let ctcc: AdminClient;

  beforeAll(async () => {
    harness = await AdminHarness.start({ env: { DIRECTIVE_TTL_HOURS: '48' } });
    administration = harness.client('admin:sichuan', 'admin-li');
    ctcc = harness.client('carrier:CTCC');
  });
  afterAll(() => harness.close());

  const issue = (msisdn: string, key: string, kind = 'SUSPEND', expiresInHours = 0) =>
    administration.issueDirective({
      idempotencyKey: key,
      msisdn,
      kind: `DIRECTIVE_KIND_${kind}` as never,
      reason: 'police request CD-2024-0117',
      expiresInHours,
    });
  const recordOf = async (id: string) =>
    (await administration.listDirectives({})).directives.find((r) => r.directive?.directiveId === id);

  it('directs the owner, capped at DIRECTIVE_TTL_HOURS; a retry is a replay, a reused key ALREADY_EXISTS', async () => {
    const before = Date.now();
    const issued = await issue('19100000001', 'd-1', 'SUSPEND', 1000);
    expect(issued).toMatchObject({
      replayed: false,
      directive: {
        carrier: 'CTCC',
        status: 'DIRECTIVE_STATUS_PENDING',
        issuedBy: 'admin-li',
        deliveries: 0,
        directive: { kind: 'DIRECTIVE_KIND_SUSPEND', msisdn: '+8619100000001' },
      },
    });
    const ttl = Number(issued.directive!.directive!.expiresAt!.seconds) * 1000 - before;
    expect(ttl).toBeGreaterThan(48 * 3_600_000 - 5_000);
    expect(ttl).toBeLessThanOrEqual(48 * 3_600_000 + 1_000);

    const again = await issue('19100000001', 'd-1', 'SUSPEND', 1000);
    expect(again).toMatchObject({
      replayed: true,
      directive: { directive: { directiveId: issued.directive!.directive!.directiveId } },
    });
    await expect(issue('19100000001', 'd-1', 'REVIEW', 1000)).rejects.toMatchObject(
      grpcError(status.ALREADY_EXISTS, 'idempotency_key'),
    );
  });

  it('follows a ported number to its new owner, and finds no one to direct for a foreign number', async () => {
    await administration.setPortedNumber({ idempotencyKey: 'port-d', msisdn: '19100000009', carrier: 'CUCC' });
    await expect(issue('19100000009', 'd-ported', 'REVIEW')).resolves.toMatchObject({ directive: { carrier: 'CUCC' } });
    await expect(issue('+12025550123', 'd-foreign')).rejects.toMatchObject(
      grpcError(status.NOT_FOUND, 'msisdn: no carrier owns +12025550123'),
    );
  });

  it('lets the administration alone issue directives', async () => {
    await expect(
      harness.client('analyst').issueDirective({
        idempotencyKey: 'd-an',
        msisdn: '19100000002',
        kind: 'DIRECTIVE_KIND_REVIEW' as never,
        reason: 'x',
      }),
    ).rejects.toMatchObject(grpcError(status.PERMISSION_DENIED));
    await expect(
      ctcc.issueDirective({
        idempotencyKey: 'd-ca',
        msisdn: '19100000002',
        kind: 'DIRECTIVE_KIND_REVIEW' as never,
        reason: 'x',
      }),
    ).rejects.toMatchObject(grpcError(status.PERMISSION_DENIED));
    await expect(harness.client('analyst').listDirectives({})).resolves.toHaveProperty('directives');
    await expect(ctcc.listDirectives({})).rejects.toMatchObject(grpcError(status.PERMISSION_DENIED));
  });

  it('streams directives to carrier tokens only', async () => {
    const analystStream = directiveStream(harness.client('analyst'));
    await expect(analystStream.finished()).resolves.toMatchObject(grpcError(status.PERMISSION_DENIED));
    const anonymous = directiveStream(harness.client());
    await expect(anonymous.finished()).resolves.toMatchObject(grpcError(status.UNAUTHENTICATED));
  });

  it.each([
    [
      'no key',
      { idempotencyKey: '', msisdn: '19100000002', kind: 'DIRECTIVE_KIND_REVIEW', reason: 'r' },
      'idempotency_key',
    ],
    [
      'a bad number',
      { idempotencyKey: 'v-1', msisdn: '1910000', kind: 'DIRECTIVE_KIND_REVIEW', reason: 'r' },
      'msisdn',
    ],
    ['no kind', { idempotencyKey: 'v-2', msisdn: '19100000002', reason: 'r' }, 'kind: a kind is required'],
    [
      'the cell-list kind',
      { idempotencyKey: 'v-3', msisdn: '19100000002', kind: 'DIRECTIVE_KIND_HIGH_RISK_CELLS', reason: 'r' },
      'kind: "HIGH_RISK_CELLS" cannot be issued',
    ],
    [
      'no reason',
      { idempotencyKey: 'v-4', msisdn: '19100000002', kind: 'DIRECTIVE_KIND_REVIEW', reason: '  ' },
      'reason: a reason is required',
    ],
    [
      'a negative expiry',
      { idempotencyKey: 'v-5', msisdn: '19100000002', kind: 'DIRECTIVE_KIND_REVIEW', reason: 'r', expiresInHours: -1 },
      'expires_in_hours',
    ],
  ])('refuses %s with INVALID_ARGUMENT naming the field', async (_case, request, field) => {
    await expect(administration.issueDirective(request as never)).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, field),
    );
  });

  it('streams open directives to their carrier, records the acknowledgement, shows it in ListDirectives', async () => {
    const stream = directiveStream(ctcc);
    const [first] = await stream.waitFor(1);
    expect(first).toMatchObject({
      kind: 'DIRECTIVE_KIND_SUSPEND',
      msisdn: '+8619100000001',
      reason: 'police request CD-2024-0117',
    });
    expect(await recordOf(first.directiveId)).toMatchObject({ status: 'DIRECTIVE_STATUS_DELIVERED', deliveries: 1 });

    // Issued while the stream is open: it arrives at once.
    const live = await issue('19100000003', 'd-live', 'REVIEW');
    const [, second] = await stream.waitFor(2);
    expect(second.directiveId).toBe(live.directive!.directive!.directiveId);

    stream.ack(first.directiveId, 'APPLIED', 'suspended, subscriber notified', 'ACTION_SUSPEND');
    stream.ack(second.directiveId, 'REJECTED', 'courier, employer confirmed', 'ACTION_WARN');
    await until(async () => (await recordOf(second.directiveId))?.status === 'DIRECTIVE_STATUS_REJECTED');
    expect(await recordOf(first.directiveId)).toMatchObject({
      status: 'DIRECTIVE_STATUS_APPLIED',
      ackDetail: 'suspended, subscriber notified',
      acknowledgedAt: expect.anything(),
    });
    expect(await recordOf(second.directiveId)).toMatchObject({
      status: 'DIRECTIVE_STATUS_REJECTED',
      ackDetail: 'courier, employer confirmed',
    });
    const [state] = await harness.sql<{ ack_state: string }>('SELECT ack_state FROM directive WHERE id = $1', [
      first.directiveId,
    ]);
    expect(state.ack_state).toBe('SUSPEND');
    stream.close();

    // Acknowledged ones are not sent again.
    const next = directiveStream(ctcc);
    await issue('19100000004', 'd-after', 'REVIEW');
    const [only] = await next.waitFor(1);
    expect(only.msisdn).toBe('+8619100000004');
    next.ack(only.directiveId, 'APPLIED');
    await until(async () => (await recordOf(only.directiveId))?.status === 'DIRECTIVE_STATUS_APPLIED');
    next.close();
  });

  it('sends an unacknowledged directive again on every new stream until it is acknowledged', async () => {
    const issued = await issue('19100000005', 'd-redeliver', 'REVIEW');
    const id = issued.directive!.directive!.directiveId;
    const dropped = directiveStream(ctcc);
    expect((await dropped.waitFor(1))[0].directiveId).toBe(id);
    dropped.close();

    const again = directiveStream(ctcc);
    expect((await again.waitFor(1))[0].directiveId).toBe(id);
    expect(await recordOf(id)).toMatchObject({ status: 'DIRECTIVE_STATUS_DELIVERED', deliveries: 2 });
    again.ack(id, 'APPLIED', 'warned');
    await until(async () => (await recordOf(id))?.status === 'DIRECTIVE_STATUS_APPLIED');
    again.close();
  });

  it("ignores acknowledgements of another carrier's or an unknown directive, and keeps the stream", async () => {
    const cmccDirective = await issue('13800000001', 'd-cmcc', 'REVIEW');
    const id = cmccDirective.directive!.directive!.directiveId;
    const intruder = directiveStream(ctcc);
    intruder.ack(id, 'REJECTED', 'not ours');
    intruder.ack('no-such-directive', 'APPLIED');
    // The stream still works afterwards.
    const later = await issue('19100000006', 'd-intruder', 'REVIEW');
    expect((await intruder.waitFor(1))[0].directiveId).toBe(later.directive!.directive!.directiveId);
    intruder.ack(later.directive!.directive!.directiveId, 'APPLIED');
    // Acknowledgements are recorded in order: once this one is, the intruder's were handled.
    await until(
      async () => (await recordOf(later.directive!.directive!.directiveId))?.status === 'DIRECTIVE_STATUS_APPLIED',
    );
    expect(await recordOf(id)).toMatchObject({ carrier: 'CMCC', status: 'DIRECTIVE_STATUS_PENDING', ackDetail: '' });
    intruder.close();
  });

  it('stops sending expired directives and marks them EXPIRED', async () => {
    const issued = await issue('19100000007', 'd-expire', 'REVIEW', 1);
    const id = issued.directive!.directive!.directiveId;
    await harness.sql(`UPDATE directive SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
    const stream = directiveStream(ctcc);
    const marker = await issue('19100000008', 'd-marker', 'REVIEW');
    expect((await stream.waitFor(1)).map((d) => d.directiveId)).toEqual([marker.directive!.directive!.directiveId]);
    stream.close();

    expect(await harness.app.get(DirectiveExpiry).expireDue()).toBeGreaterThanOrEqual(1);
    expect(await recordOf(id)).toMatchObject({ status: 'DIRECTIVE_STATUS_EXPIRED', deliveries: 0 });
    const expired = await administration.listDirectives({ status: 'DIRECTIVE_STATUS_EXPIRED' as never });
    expect(expired.directives.map((d) => d.directive?.directiveId)).toContain(id);
  });

  it('lists newest first, filtered, in pages', async () => {
    const ctccOnly = await administration.listDirectives({ carrier: 'CTCC', page: { pageSize: 3, pageToken: '' } });
    expect(ctccOnly.directives).toHaveLength(3);
    expect(ctccOnly.directives.every((d) => d.carrier === 'CTCC')).toBe(true);
    const rest = await administration.listDirectives({
      carrier: 'CTCC',
      page: { pageSize: 100, pageToken: ctccOnly.nextPageToken },
    });
    const all = [...ctccOnly.directives, ...rest.directives];
    expect(rest.nextPageToken).toBe('');
    const times = all.map((d) => Number(d.directive!.issuedAt!.seconds) * 1000 + d.directive!.issuedAt!.nanos / 1e6);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(all.map((d) => d.directive!.directiveId)).size).toBe(all.length);

    const one = await administration.listDirectives({ msisdn: '19100000005' });
    expect(one.directives.map((d) => d.directive!.msisdn)).toEqual(['+8619100000005']);
    await expect(administration.listDirectives({ carrier: 'XX' })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'carrier'),
    );
    await expect(administration.listDirectives({ page: { pageSize: 10, pageToken: 'garbage' } })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'page.page_token'),
    );
  });

  it('audits every IssueDirective call', async () => {
    const rows = await harness.sql<{ actor: string; target: string; outcome: string }>(
      `SELECT actor, target, outcome FROM audit_event
       WHERE action = 'fraud.admin.v1.AdminService/IssueDirective' ORDER BY id`,
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { actor: 'admin-li', target: '+8619100000001', outcome: 'OK' },
        { actor: 'admin-li', target: '+8619100000001', outcome: 'ALREADY_EXISTS' },
        { actor: 'admin-li', target: '+12025550123', outcome: 'NOT_FOUND' },
        { actor: 'analyst', target: '+8619100000002', outcome: 'PERMISSION_DENIED' },
      ]),
    );
  });
});
