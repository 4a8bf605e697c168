import { generateKeyPairSync } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ErrorKind } from '@app/domain';
import { AUDITED } from './audit';
import type { AuditEntry, AuditSink } from './audit';
import { CallAdmission, type CallFacts } from './call-admission';
import { RoleKind } from './roles';
import { signToken } from './token';

describe(CallAdmission.name, () => {
  const keys = generateKeyPairSync('ed25519');
  const entries: AuditEntry[] = [];
  const sink: AuditSink = { record: (entry) => (entries.push(entry), Promise.resolve()) };
  const limits = { callsPerClient: 2, streamsPerClient: 1, streamBuffer: 10 };
  const sut = new CallAdmission(sink, {}, keys.publicKey, 'CTCC', 'sichuan', limits);
  const bearer = (role: string, subject = `${role}-1`) =>
    `Bearer ${signToken({ subject, role, ttlSeconds: 60 }, keys.privateKey)}`;
  const facts = (authorization: string[], request: unknown = {}): CallFacts => ({
    action: 'fraud.carrier.v1.CarrierService/CheckCall',
    access: [RoleKind.Carrier],
    authorization,
    request,
  });

  beforeEach(() => (entries.length = 0));

  it('judges without side effects: the caller, or the refusal with what the audit adds', () => {
    expect(sut.judge(facts([bearer('carrier:CTCC')])).principal).toMatchObject({ role: 'carrier:CTCC' });
    expect(sut.judge(facts([bearer('carrier:CMCC')]))).toMatchObject({
      refusal: { kind: ErrorKind.PermissionDenied, message: "role carrier:CMCC may not call carrier CTCC's service" },
      extra: { ownCarrier: 'CTCC' },
    });
    expect(sut.judge(facts([bearer('analyst')]))).toMatchObject({ extra: { allowed: [RoleKind.Carrier] } });
    expect(sut.judge(facts([])).refusal?.message).toBe('missing token: send "authorization: Bearer <token>"');
    expect(entries).toEqual([]);
  });

  it('checks text with the caller’s own scan when the request is not a decoded message', () => {
    const custom = { ...facts([bearer('carrier:CTCC')], { raw: true }), controlField: () => 'msisdns[3]' };
    expect(sut.judge(custom).refusal?.message).toBe('msisdns[3]: must not contain control characters (such as NUL)');
  });

  it('audits a refusal with the request’s number, then throws it', async () => {
    const request = { msisdn: '+8619112345678', purpose: 'appeal' };
    const refused = facts([bearer('police', 'officer-7')], request);
    await expect(sut.admit(refused)).rejects.toMatchObject({ code: 'ROLE_NOT_ALLOWED' });
    expect(entries).toEqual([
      {
        actor: 'officer-7',
        role: 'police',
        action: 'fraud.carrier.v1.CarrierService/CheckCall',
        target: '+8619112345678',
        purpose: 'appeal',
        outcome: ErrorKind.PermissionDenied,
        detail: {
          reason: 'role police may not call fraud.carrier.v1.CarrierService/CheckCall',
          code: 'ROLE_NOT_ALLOWED',
          allowed: [RoleKind.Carrier],
        },
      },
    ]);
  });

  it('counts calls and streams per client, shared by whoever claims them, and gives slots back once', async () => {
    const principal = sut.judge(facts([bearer('carrier:CTCC', 'switch-9')])).principal!;
    const first = sut.claim(principal, false);
    const second = sut.claim(principal, false);
    const third = sut.claim(principal, false);
    expect([typeof first, typeof second]).toEqual(['function', 'function']);
    expect(third).toMatchObject({ code: 'TOO_MANY_CALLS', kind: ErrorKind.ResourceExhausted });
    (first as () => void)();
    (first as () => void)();
    expect(typeof sut.claim(principal, false)).toBe('function');
    expect(sut.claim(principal, false)).toMatchObject({ code: 'TOO_MANY_CALLS' });
    expect(typeof sut.claim(principal, true)).toBe('function');
    expect(sut.claim(principal, true)).toMatchObject({ code: 'TOO_MANY_STREAMS' });

    const refusal = sut.claim(principal, true);
    if (typeof refusal === 'function') throw new Error('expected a refusal');
    await sut.refuseLimit('fraud.carrier.v1.CarrierService/IngestEvents', principal, refusal);
    expect((refusal as unknown as Record<symbol, boolean>)[AUDITED]).toBe(true);
    expect(entries).toEqual([
      expect.objectContaining({ actor: 'switch-9', outcome: ErrorKind.ResourceExhausted, action: expect.any(String) }),
    ]);
  });

  it('logs an audit line it could not write, and still refuses', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const failing = new CallAdmission({ record: () => Promise.reject(new Error('disk full')) }, {}, keys.publicKey);
    await expect(failing.admit(facts([]))).rejects.toMatchObject({ code: 'MISSING_TOKEN' });
    expect(logged).toHaveBeenCalledWith(
      'audit of a refused call failed: disk full',
      expect.stringContaining('MISSING_TOKEN'),
    );
    logged.mockRestore();
  });
});
