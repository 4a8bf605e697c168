import { status } from '@grpc/grpc-js';
import { grpcError } from '@app/testing';
import { AdminHarness, directiveStream, type AdminClient } from './admin-harness';

describe('High-risk cells (admin over gRPC)', () => {
  let harness: AdminHarness;
  let analyst: AdminClient;
  let administration: AdminClient;
  let cmcc: AdminClient;

  beforeAll(async () => {
    harness = await AdminHarness.start();
    analyst = harness.client('analyst', 'analyst-7');
    administration = harness.client('admin:sichuan', 'admin-li');
    cmcc = harness.client('carrier:CMCC');
  });
  afterAll(() => harness.close());

  const add = (cell: string, key: string, expiresInDays = 0, client = analyst) =>
    client.addHighRiskCell({
      idempotencyKey: key,
      cell,
      reason: 'fraud call centre raided',
      source: 'police:chengdu',
      expiresInDays,
    });

  it('starts empty at version 0; carriers and police may list it', async () => {
    await expect(cmcc.listHighRiskCells()).resolves.toEqual({ list: { version: 0, cells: [] } });
    await expect(harness.client('police').listHighRiskCells()).resolves.toEqual({ list: { version: 0, cells: [] } });
  });

  it('pushes the whole list at each change to connected carriers; a newcomer gets the current list first', async () => {
    const connected = directiveStream(cmcc);
    const added = await add('460-00-12345-1', 'c-1', 30);
    expect(added).toMatchObject({
      replayed: false,
      list: {
        version: 1,
        cells: [{ cell: '460-00-12345-1', reason: 'fraud call centre raided', source: 'police:chengdu' }],
      },
    });
    const cell = added.list!.cells[0];
    expect(Number(cell.expiresAt!.seconds) - Number(cell.addedAt!.seconds)).toBe(30 * 86_400);

    const [first] = await connected.waitFor(1);
    expect(first).toMatchObject({
      kind: 'DIRECTIVE_KIND_HIGH_RISK_CELLS',
      msisdn: '',
      cells: { version: 1, cells: [{ cell: '460-00-12345-1' }] },
    });

    await add('460-11-23456-1', 'c-2', 0, administration);
    const removed = await analyst.removeHighRiskCell({
      idempotencyKey: 'c-3',
      cell: '460-00-12345-1',
      reason: 'raid finished',
    });
    expect(removed).toMatchObject({ replayed: false, list: { version: 3, cells: [{ cell: '460-11-23456-1' }] } });
    const pushed = await connected.waitFor(3);
    expect(pushed.map((d) => d.cells?.version)).toEqual([1, 2, 3]);
    expect(pushed[2].cells?.cells.map((c) => c.cell)).toEqual(['460-11-23456-1']);
    connected.ack(pushed[2].directiveId, 'APPLIED', 'list version 3 loaded');

    // Another carrier connecting now gets version 3 alone: the older lists it never saw were superseded.
    const cucc = directiveStream(harness.client('carrier:CUCC'));
    const [current] = await cucc.waitFor(1);
    expect(current).toMatchObject({ kind: 'DIRECTIVE_KIND_HIGH_RISK_CELLS', cells: { version: 3 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cucc.received).toHaveLength(1);
    cucc.close();

    const statuses = await harness.sql<{ cells_version: string; status: string }>(
      `SELECT cells_version, status FROM directive
       WHERE carrier = 'CUCC' AND kind = 'HIGH_RISK_CELLS' ORDER BY cells_version`,
    );
    expect(statuses).toEqual([
      { cells_version: '1', status: 'EXPIRED' },
      { cells_version: '2', status: 'EXPIRED' },
      { cells_version: '3', status: 'DELIVERED' },
    ]);
    connected.close();

    // A reconnecting carrier always starts with the latest list, even one it acknowledged.
    const reconnected = directiveStream(cmcc);
    const [again] = await reconnected.waitFor(1);
    expect(again).toMatchObject({ directiveId: pushed[2].directiveId, cells: { version: 3 } });
    reconnected.close();
  });

  it('replays a change with the same key and content as its first answer, refuses a reused key', async () => {
    const before = (await analyst.listHighRiskCells()).list!.version;
    // c-2 made version 2, when both cells were listed; c-3 has removed one since.
    await expect(add('460-11-23456-1', 'c-2', 0, administration)).resolves.toMatchObject({
      replayed: true,
      list: { version: 2, cells: [{ cell: '460-00-12345-1' }, { cell: '460-11-23456-1' }] },
    });
    await expect(add('460-11-99999-9', 'c-2')).rejects.toMatchObject(
      grpcError(status.ALREADY_EXISTS, 'idempotency_key'),
    );
    expect((await analyst.listHighRiskCells()).list!.version).toBe(before);
  });

  it('refuses to remove a cell that is not listed', async () => {
    await expect(
      analyst.removeHighRiskCell({ idempotencyKey: 'c-404', cell: '460-00-55555-5', reason: 'x' }),
    ).rejects.toMatchObject(grpcError(status.NOT_FOUND, 'cell: 460-00-55555-5 is not on the high-risk cell list'));
  });

  it('leaves expired cells out of the list', async () => {
    await add('460-01-77777-7', 'c-exp', 1);
    await harness.sql(
      `UPDATE high_risk_cell SET expires_at = now() - interval '1 second' WHERE cell = '460-01-77777-7'`,
    );
    expect((await analyst.listHighRiskCells()).list!.cells.map((c) => c.cell)).not.toContain('460-01-77777-7');
  });

  it.each([
    ['no key', { idempotencyKey: '', cell: '460-00-1-1', reason: 'r', source: 's' }, 'idempotency_key'],
    ['no cell', { idempotencyKey: 'v-1', cell: '', reason: 'r', source: 's' }, 'cell: a cell id is required'],
    [
      'a malformed cell',
      { idempotencyKey: 'v-2', cell: '460-00-1', reason: 'r', source: 's' },
      'cell: "460-00-1" is not a cell id',
    ],
    [
      'no reason',
      { idempotencyKey: 'v-3', cell: '460-00-1-1', reason: '', source: 's' },
      'reason: a reason is required',
    ],
    [
      'no source',
      { idempotencyKey: 'v-4', cell: '460-00-1-1', reason: 'r', source: ' ' },
      'source: a source is required',
    ],
    [
      'more than 365 days',
      { idempotencyKey: 'v-5', cell: '460-00-1-1', reason: 'r', source: 's', expiresInDays: 366 },
      'expires_in_days',
    ],
    [
      'a negative expiry',
      { idempotencyKey: 'v-6', cell: '460-00-1-1', reason: 'r', source: 's', expiresInDays: -1 },
      'expires_in_days',
    ],
  ])('refuses to add with %s, naming the field', async (_case, request, field) => {
    await expect(analyst.addHighRiskCell(request)).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, field));
  });

  it('refuses a removal without a reason', async () => {
    await expect(
      analyst.removeHighRiskCell({ idempotencyKey: 'v-7', cell: '460-11-23456-1', reason: '' }),
    ).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, 'reason'));
  });

  it('lets carriers and police read the list but not change it', async () => {
    await expect(add('460-00-1-1', 'r-1', 0, cmcc)).rejects.toMatchObject(grpcError(status.PERMISSION_DENIED));
    await expect(
      harness.client('police').removeHighRiskCell({ idempotencyKey: 'r-2', cell: '460-11-23456-1', reason: 'x' }),
    ).rejects.toMatchObject(grpcError(status.PERMISSION_DENIED));
  });

  it('audits every change of the list', async () => {
    const rows = await harness.sql<{ action: string; actor: string; outcome: string; detail: { cell: string } }>(
      `SELECT action, actor, outcome, detail FROM audit_event WHERE action LIKE '%HighRiskCell' ORDER BY id`,
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        {
          action: 'fraud.admin.v1.AdminService/AddHighRiskCell',
          actor: 'analyst-7',
          outcome: 'OK',
          detail: expect.objectContaining({ cell: '460-00-12345-1', source: 'police:chengdu' }),
        },
        {
          action: 'fraud.admin.v1.AdminService/RemoveHighRiskCell',
          actor: 'analyst-7',
          outcome: 'OK',
          detail: expect.objectContaining({ cell: '460-00-12345-1', reason: 'raid finished' }),
        },
        {
          action: 'fraud.admin.v1.AdminService/RemoveHighRiskCell',
          actor: 'analyst-7',
          outcome: 'NOT_FOUND',
          detail: expect.objectContaining({ cell: '460-00-55555-5' }),
        },
        {
          action: 'fraud.admin.v1.AdminService/AddHighRiskCell',
          actor: 'carrier-CMCC',
          outcome: 'PERMISSION_DENIED',
          detail: expect.anything(),
        },
      ]),
    );
  });
});
