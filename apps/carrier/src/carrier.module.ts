import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '@app/audit';
import { ClockModule } from '@app/config';
import { AuthGuard, type CarrierId } from '@app/grpc';
import { PersistenceModule } from '@app/persistence';
import { carrierDatabase } from './database';

@Module({})
export class CarrierModule {
  /** One carrier's service, on its own database (`fraud_carrier_<id>`). */
  static forCarrier(carrierId: CarrierId): DynamicModule {
    return {
      module: CarrierModule,
      imports: [PersistenceModule.forService(carrierDatabase, { instance: carrierId }), ClockModule, AuditModule],
      providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}
