import { Module } from '@nestjs/common';
import { DecisionsModule } from '../decisions/decisions.module';
import { PoliciesRepository } from '../policies/policies.repository';
import { SubscribersRepository } from '../subscribers/subscribers.repository';
import { AnalysisService } from './analysis.service';

@Module({
  imports: [DecisionsModule],
  providers: [AnalysisService, PoliciesRepository, SubscribersRepository],
  exports: [AnalysisService, PoliciesRepository, SubscribersRepository, DecisionsModule],
})
export class AnalysisModule {}
