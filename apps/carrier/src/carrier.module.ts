import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { ConfigModule, type Env } from '@app/config';
import type { Clock } from '@app/domain';
import { AUTH_OWN_CARRIER, AUTH_OWN_PROVINCE, CALL_ADMISSION } from '@app/grpc';
import { MetricsModule } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { AdminLinkModule } from './admin-link/admin-link.module';
import { CARRIER_CONFIG, type CarrierConfig } from './config/carrier.config';
import { carrierDatabase } from './database';
import { CallCheckModule } from './callcheck/callcheck.module';
import { ExplainModule } from './explain/explain.module';
import { IngestModule } from './ingest/ingest.module';
import { CarrierMetricsModule } from './metrics/carrier-metrics.module';
import { OutboxModule } from './outbox/outbox.module';
import { PoliciesModule } from './policies/policies.module';
import { ProfilesModule } from './profiles/profiles.module';
import { ReactivationModule } from './reactivation/reactivation.module';
import { RegistryLinkModule } from './registry-link/registry-link.module';
import { ReviewsModule } from './reviews/reviews.module';
import { RuleBudgetModule } from './rule-budget/rule-budget.module';

/** The carrier's configuration, for every feature module. */
@Global()
@Module({})
class CarrierConfigModule {
  static of(config: CarrierConfig): DynamicModule {
    return {
      module: CarrierConfigModule,
      providers: [
        { provide: CARRIER_CONFIG, useValue: config },
        { provide: AUTH_OWN_CARRIER, useValue: config.carrierId },
        { provide: AUTH_OWN_PROVINCE, useValue: config.province },
      ],
      exports: [CARRIER_CONFIG, AUTH_OWN_CARRIER, AUTH_OWN_PROVINCE],
    };
  }
}

@Module({})
export class CarrierModule {
  /**
   * One carrier's service, on its own database (`fraud_carrier_<id>`): `config` read from `env`,
   * which its providers read too.
   */
  static forCarrier(config: CarrierConfig, env: Env, clock?: Clock): DynamicModule {
    return {
      module: CarrierModule,
      imports: [
        ConfigModule.forEnv(env, clock),
        CarrierConfigModule.of(config),
        MetricsModule.forService(`carrier-${config.carrierId.toLowerCase()}`),
        CarrierMetricsModule,
        PersistenceModule.forService(carrierDatabase, { instance: config.carrierId }),
        AuditModule,
        IngestModule,
        OutboxModule,
        RegistryLinkModule,
        AdminLinkModule,
        PoliciesModule,
        ExplainModule,
        CallCheckModule,
        ProfilesModule,
        ReactivationModule,
        ReviewsModule,
        RuleBudgetModule,
      ],
      providers: CALL_ADMISSION,
    };
  }
}
