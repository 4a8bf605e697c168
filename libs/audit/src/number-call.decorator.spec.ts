import 'reflect-metadata';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { GrpcMethod } from '@nestjs/microservices';
import { ROLES_METADATA, RoleKind, Roles } from '@app/grpc';
import { Audited, AUDITED, type AuditSubject } from './audited.decorator';
import { NumberCall } from './number-call.decorator';

interface CaseRequest {
  msisdn: string;
  caseId: string;
  outcome: number;
}

class Controller {
  @NumberCall<CaseRequest>('RegistryService', 'VerifyNumber', [RoleKind.Police], (request) => ({
    caseId: request.caseId,
    detail: { outcome: request.outcome },
  }))
  verifyNumber(): void {}
}

/** The same handler decorated one decorator at a time. */
class PlainController {
  @GrpcMethod('RegistryService', 'VerifyNumber')
  @Roles(RoleKind.Police)
  @Audited<CaseRequest>((request) => ({ target: request.msisdn }))
  verifyNumber(): void {}
}

describe(NumberCall.name, () => {
  const handler = Object.getOwnPropertyDescriptor(Controller.prototype, 'verifyNumber')!.value as object;
  const plain = Object.getOwnPropertyDescriptor(PlainController.prototype, 'verifyNumber')!.value as object;

  it('makes the handler the gRPC method, open to the roles given', () => {
    expect(Reflect.getMetadata(PATTERN_METADATA, handler)).toEqual([
      { service: 'RegistryService', rpc: 'VerifyNumber', streaming: 'no_stream' },
    ]);
    const keys = (target: object) => (Reflect.getMetadataKeys(target) as unknown[]).map(String).sort();
    expect(keys(handler)).toEqual(keys(plain));
    for (const key of Reflect.getMetadataKeys(plain) as unknown[])
      if (key !== AUDITED) expect(Reflect.getMetadata(key, handler)).toEqual(Reflect.getMetadata(key, plain));
    expect(Reflect.getMetadata(ROLES_METADATA, handler)).toEqual([RoleKind.Police]);
  });

  it('audits the request with its number as the target, then what the description reads', () => {
    const describe = Reflect.getMetadata(AUDITED, handler) as (request: CaseRequest) => AuditSubject;
    expect(describe({ msisdn: '+8613800000000', caseId: 'C-1', outcome: 2 })).toEqual({
      target: '+8613800000000',
      caseId: 'C-1',
      detail: { outcome: 2 },
    });
  });
});
