import { generateKeyPairSync } from 'node:crypto';
import { Metadata, status as GrpcCode } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/internal';
import { GrpcMethod } from '@nestjs/microservices';
import { ErrorKind } from '@app/domain';
import { loadProtoDefinition } from '../server/proto';
import type { AuditEntry, AuditSink } from './audit';
import { Public, Roles } from './auth.decorators';
import { AuthError } from './auth.errors';
import { AuthGuard } from './auth.guard';
import { CallAdmission } from './call-admission';
import { maybePrincipalOf, principalOf } from './principal';
import { RoleKind } from './roles';
import { signToken } from './token';

@Roles(RoleKind.Auditor)
class AuditorsController {
  @GrpcMethod('RegistryService', 'listAuditEvents')
  listAuditEvents(): void {}

  @GrpcMethod('RegistryService', 'checkNumbers')
  @Public()
  checkNumbers(): void {}
}

@Public()
class OpenController {
  @GrpcMethod('RegistryService', 'verifyNumber')
  @Roles(RoleKind.Police)
  verifyNumber(): void {}

  open(): void {}
}

describe(AuthGuard.name, () => {
  const keys = generateKeyPairSync('ed25519');
  const entries: AuditEntry[] = [];
  let failAudit = false;
  const sink: AuditSink = {
    record: (entry) => (failAudit ? Promise.reject(new Error('disk full')) : (entries.push(entry), Promise.resolve())),
  };
  const guard = new AuthGuard(new Reflector(), new CallAdmission(sink, {}, keys.publicKey));
  loadProtoDefinition(['fraud/registry/v1/registry.proto']); // lets the guard name RPCs by their package

  /** A call as Nest hands it to guards, without a grpc-js call object (so the RPC name comes from @GrpcMethod). */
  const call = (controller: object, method: string, role?: string, request: object = {}) => {
    const metadata = new Metadata();
    if (role)
      metadata.set(
        'authorization',
        `Bearer ${signToken({ subject: `${role}-1`, role, ttlSeconds: 60 }, keys.privateKey)}`,
      );
    const handler = (controller as Record<string, () => void>)[method]!;
    const context = new ExecutionContextHost([request, metadata], controller.constructor as never, handler);
    context.setType('rpc');
    return { metadata, activate: () => guard.canActivate(context) };
  };
  const refusal = async (promise: Promise<unknown>): Promise<AuthError> => {
    try {
      await promise;
    } catch (error) {
      return error as AuthError;
    }
    throw new Error('admitted');
  };

  beforeEach(() => {
    entries.length = 0;
    failAudit = false;
  });

  it("applies the controller's roles, named after the @GrpcMethod pattern and the loaded package", async () => {
    const auditors = new AuditorsController();
    await expect(call(auditors, 'listAuditEvents', 'auditor').activate()).resolves.toBe(true);
    const denied = await refusal(call(auditors, 'listAuditEvents', 'police').activate());
    expect(denied.kind).toBe(ErrorKind.PermissionDenied);
    expect(entries).toMatchObject([
      {
        action: 'fraud.registry.v1.RegistryService/ListAuditEvents',
        outcome: GrpcCode[GrpcCode.PERMISSION_DENIED],
        actor: 'police-1',
      },
    ]);
  });

  it("lets a handler's own marking override its controller's", async () => {
    const auditors = new AuditorsController();
    const open = call(auditors, 'checkNumbers');
    await expect(open.activate()).resolves.toBe(true);
    expect(maybePrincipalOf(open.metadata)).toBeUndefined();
    expect(() => principalOf(open.metadata)).toThrow(AuthError);

    const identified = call(auditors, 'checkNumbers', 'analyst');
    await expect(identified.activate()).resolves.toBe(true);
    expect(principalOf(identified.metadata).role).toBe('analyst');

    const controller = new OpenController();
    expect((await refusal(call(controller, 'verifyNumber').activate())).kind).toBe(ErrorKind.Unauthenticated);
    await expect(call(controller, 'open').activate()).resolves.toBe(true);
  });

  it('refuses even when the audit sink fails, and says so in the log', async () => {
    failAudit = true;
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const denied = await refusal(call(new AuditorsController(), 'listAuditEvents').activate());
      expect(denied.kind).toBe(ErrorKind.Unauthenticated);
      expect(logged).toHaveBeenCalledWith(
        'audit of a refused call failed: disk full',
        expect.stringContaining('"outcome":"UNAUTHENTICATED"'),
      );
    } finally {
      logged.mockRestore();
    }
  });

  describe('over HTTP (the dashboard API)', () => {
    class DashboardController {
      @Roles(RoleKind.Admin)
      issue(): void {}
    }
    const request = (role?: string, extra: object = {}) => ({
      method: 'POST',
      url: '/api/directives',
      route: { path: '/api/directives' },
      headers: role
        ? { authorization: `Bearer ${signToken({ subject: `${role}-1`, role, ttlSeconds: 60 }, keys.privateKey)}` }
        : {},
      body: { msisdn: '+8619100000001' },
      ...extra,
    });
    const activate = (req: object) => {
      const controller = new DashboardController();
      const context = new ExecutionContextHost(
        [req, {}, () => undefined],
        DashboardController as never,
        controller.issue,
      );
      context.setType('http');
      return guard.canActivate(context);
    };

    it('reads the bearer token from the authorization header and attaches the principal to the request', async () => {
      const req = request('admin:sichuan');
      await expect(activate(req)).resolves.toBe(true);
      expect(principalOf(req)).toMatchObject({ subject: 'admin:sichuan-1', kind: RoleKind.Admin, scope: 'sichuan' });
    });

    it('refuses a missing token and a wrong role, and audits both with the route and the number', async () => {
      entries.length = 0;
      failAudit = false;
      expect((await refusal(activate(request()))).kind).toBe(ErrorKind.Unauthenticated);
      expect((await refusal(activate(request('analyst')))).kind).toBe(ErrorKind.PermissionDenied);
      expect(entries).toEqual([
        expect.objectContaining({
          action: 'HTTP POST /api/directives',
          target: '+8619100000001',
          outcome: 'UNAUTHENTICATED',
        }),
        expect.objectContaining({
          action: 'HTTP POST /api/directives',
          actor: 'analyst-1',
          outcome: 'PERMISSION_DENIED',
        }),
      ]);
    });
  });
});
