import { Module } from '@nestjs/common';
import { ENV, type Env } from '@app/config';
import { AnalysisModule } from '../analysis/analysis.module';
import { SubscriberRequests } from '../requests/subscriber-requests';
import { AppealService } from './appeal.service';
import { NationalIdHasher } from './national-id';
import { loadNationalIdHashKey } from './national-id-key';
import { ReactivationController } from './reactivation.controller';
import { ReactivationService } from './reactivation.service';
import { StepRequests } from './step-requests';

/** Re-activations and appeals; their repository comes from the analysis module (the chances at start-up). */
@Module({
  imports: [AnalysisModule],
  controllers: [ReactivationController],
  providers: [
    SubscriberRequests,
    StepRequests,
    ReactivationService,
    AppealService,
    // Read at boot: a missing key (NATIONAL_ID_HASH_KEY_FILE in production) stops start-up with a message naming it.
    {
      provide: NationalIdHasher,
      inject: [ENV],
      useFactory: (env: Env) => new NationalIdHasher(loadNationalIdHashKey(env)),
    },
  ],
})
export class ReactivationModule {}
