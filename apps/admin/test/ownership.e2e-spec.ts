import { status } from '@grpc/grpc-js';
import { grpcError } from '@app/testing';
import { AdminHarness, type AdminClient } from './admin-harness';

describe('GetOwner and SetPortedNumber (admin over gRPC)', () => {
  let harness: AdminHarness;
  let administration: AdminClient;
  let carrier: AdminClient;

  beforeAll(async () => {
    harness = await AdminHarness.start();
    administration = harness.client('admin:sichuan', 'admin-li');
    carrier = harness.client('carrier:CMCC');
  });
  afterAll(() => harness.close());

  it('answers from the segment table for any role, national form normalised', async () => {
    await expect(carrier.getOwner({ msisdn: '19112345678' })).resolves.toEqual({
      msisdn: '+8619112345678',
      carrier: 'CTCC',
      ported: false,
    });
    await expect(harness.client('police').getOwner({ msisdn: '+8613812345678' })).resolves.toMatchObject({
      carrier: 'CMCC',
      ported: false,
    });
    await expect(harness.client('analyst').getOwner({ msisdn: '+8619212345678' })).resolves.toMatchObject({
      carrier: 'CBN',
    });
    await expect(carrier.getOwner({ msisdn: '+8613012345678' })).resolves.toMatchObject({ carrier: 'CUCC' });
  });

  it('finds no owner for a foreign number or an unallocated segment', async () => {
    await expect(carrier.getOwner({ msisdn: '+12025550123' })).rejects.toMatchObject(
      grpcError(status.NOT_FOUND, 'msisdn: no carrier owns +12025550123'),
    );
    await expect(carrier.getOwner({ msisdn: '+8614012345678' })).rejects.toMatchObject(grpcError(status.NOT_FOUND));
  });

  it('refuses a malformed number and calls without a token', async () => {
    await expect(carrier.getOwner({ msisdn: '1911234' })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'msisdn: "1911234" is not a phone number'),
    );
    await expect(harness.client().getOwner({ msisdn: '19112345678' })).rejects.toMatchObject(
      grpcError(status.UNAUTHENTICATED),
    );
  });

  it("lets a ported number's entry beat its segment; a replay changes nothing, a reused key is refused", async () => {
    const set = await administration.setPortedNumber({
      idempotencyKey: 'port-1',
      msisdn: '19100000001',
      carrier: 'CMCC',
    });
    expect(set).toEqual({ owner: { msisdn: '+8619100000001', carrier: 'CMCC', ported: true }, replayed: false });
    await expect(carrier.getOwner({ msisdn: '+8619100000001' })).resolves.toEqual({
      msisdn: '+8619100000001',
      carrier: 'CMCC',
      ported: true,
    });

    await expect(
      administration.setPortedNumber({ idempotencyKey: 'port-1', msisdn: '+8619100000001', carrier: 'CMCC' }),
    ).resolves.toMatchObject({ replayed: true });
    await expect(
      administration.setPortedNumber({ idempotencyKey: 'port-1', msisdn: '+8619100000001', carrier: 'CUCC' }),
    ).rejects.toMatchObject(grpcError(status.ALREADY_EXISTS, 'idempotency_key'));

    // Ported on again; a late retry of the first port is a replay, answered as the first call was,
    // and does not take it back.
    await administration.setPortedNumber({ idempotencyKey: 'port-2', msisdn: '+8619100000001', carrier: 'CUCC' });
    await expect(
      administration.setPortedNumber({ idempotencyKey: 'port-1', msisdn: '+8619100000001', carrier: 'CMCC' }),
    ).resolves.toEqual({
      owner: { msisdn: '+8619100000001', carrier: 'CMCC', ported: true },
      replayed: true,
    });
    await expect(carrier.getOwner({ msisdn: '+8619100000001' })).resolves.toEqual({
      msisdn: '+8619100000001',
      carrier: 'CUCC',
      ported: true,
    });
  });

  it("lets only the province's administration port numbers, naming bad fields", async () => {
    await expect(
      harness.client('analyst').setPortedNumber({ idempotencyKey: 'p-a', msisdn: '19100000002', carrier: 'CMCC' }),
    ).rejects.toMatchObject(grpcError(status.PERMISSION_DENIED));
    await expect(
      harness
        .client('admin:beijing')
        .setPortedNumber({ idempotencyKey: 'p-b', msisdn: '19100000002', carrier: 'CMCC' }),
    ).rejects.toMatchObject(grpcError(status.PERMISSION_DENIED, 'province sichuan'));
    await expect(
      administration.setPortedNumber({ idempotencyKey: 'p-c', msisdn: '19100000002', carrier: 'CMC' }),
    ).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, 'carrier: "CMC" is not a carrier'));
    await expect(
      administration.setPortedNumber({ idempotencyKey: '', msisdn: '19100000002', carrier: 'CMCC' }),
    ).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, 'idempotency_key'));
    await expect(
      administration.setPortedNumber({ idempotencyKey: 'p-d', msisdn: '+12025550123', carrier: 'CMCC' }),
    ).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, 'msisdn: +12025550123 is not a Chinese mobile number'));
    await expect(carrier.getOwner({ msisdn: '19100000002' })).resolves.toMatchObject({
      carrier: 'CTCC',
      ported: false,
    });
  });

  it('audits every port, refused or not', async () => {
    const rows = await harness.sql<{ actor: string; target: string; outcome: string }>(
      `SELECT actor, target, outcome FROM audit_event
       WHERE action = 'fraud.admin.v1.AdminService/SetPortedNumber' ORDER BY id`,
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { actor: 'admin-li', target: '+8619100000001', outcome: 'OK' },
        { actor: 'admin-li', target: '+8619100000001', outcome: 'ALREADY_EXISTS' },
        { actor: 'analyst', target: '+8619100000002', outcome: 'PERMISSION_DENIED' },
        { actor: 'admin-li', target: '+8619100000002', outcome: 'INVALID_ARGUMENT' },
      ]),
    );
  });
});
