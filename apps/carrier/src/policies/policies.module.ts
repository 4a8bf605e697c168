import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module';
import { PoliciesController } from './policies.controller';
import { PoliciesService } from './policies.service';

@Module({
  imports: [AnalysisModule],
  controllers: [PoliciesController],
  providers: [PoliciesService],
})
export class PoliciesModule {}
