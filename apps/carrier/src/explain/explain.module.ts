import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module';
import { ExplainController } from './explain.controller';
import { ExplainRepository } from './explain.repository';
import { ExplainService } from './explain.service';

@Module({
  imports: [AnalysisModule],
  controllers: [ExplainController],
  providers: [ExplainService, ExplainRepository],
})
export class ExplainModule {}
