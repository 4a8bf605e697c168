import { Metadata, status as GrpcCode } from '@grpc/grpc-js';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { firstValueFrom, of, throwError } from 'rxjs';
import { GrpcStatusError, markAudited, type AuditEntry, type AuditSink } from '@app/grpc';
import { AuditInterceptor } from './audit.interceptor';
import { Audited } from './audited.decorator';

class Handlers {
  @Audited<{ msisdn: string }>((request) => ({ target: request.msisdn }))
  explain(): void {}
}

/** An rpc call of the audited handler, as Nest hands it to interceptors. */
function rpcCall(): ExecutionContext {
  const call = { getPath: () => '/fraud.carrier.v1.CarrierService/ExplainNumber' };
  const args = [{ msisdn: '+8613800000001' }, new Metadata(), call];
  return {
    getType: () => 'rpc',
    getHandler: () => Handlers.prototype.explain,
    getClass: () => Handlers,
    getArgs: () => args,
    switchToRpc: () => ({ getData: () => args[0], getContext: () => args[1] }),
  } as unknown as ExecutionContext;
}

describe(AuditInterceptor.name, () => {
  const written: AuditEntry[] = [];
  const sink: AuditSink = { record: async (entry) => void written.push(entry) };
  const interceptor = new AuditInterceptor(new Reflector(), sink);
  const run = (handled: CallHandler['handle']) => firstValueFrom(interceptor.intercept(rpcCall(), { handle: handled }));
  beforeEach(() => (written.length = 0));

  it('writes each call it served, answered or failed', async () => {
    await run(() => of({ state: 'WARN' }));
    await expect(
      run(() => throwError(() => new GrpcStatusError(GrpcCode.NOT_FOUND, 'no such number'))),
    ).rejects.toThrow('no such number');
    expect(written.map((w) => [w.action, w.target, w.outcome])).toEqual([
      ['fraud.carrier.v1.CarrierService/ExplainNumber', '+8613800000001', 'OK'],
      ['fraud.carrier.v1.CarrierService/ExplainNumber', '+8613800000001', 'NOT_FOUND'],
    ]);
  });

  it('writes nothing for an answer or a failure audited where the call was passed to, and passes it on', async () => {
    const answer = markAudited({ state: 'WARN' });
    expect(await run(() => of(answer))).toBe(answer);
    const failure = markAudited(new GrpcStatusError(GrpcCode.NOT_FOUND, 'no such number'));
    await expect(run(() => throwError(() => failure))).rejects.toBe(failure);
    expect(written).toEqual([]);
    expect(Object.keys(answer)).toEqual(['state']);
  });
});
