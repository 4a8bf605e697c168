import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module';
import { CallCheckController } from './callcheck.controller';
import { CallCheckService } from './callcheck.service';

@Module({
  imports: [AnalysisModule],
  controllers: [CallCheckController],
  providers: [CallCheckService],
})
export class CallCheckModule {}
