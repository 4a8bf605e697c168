import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module';
import { IngestController } from './ingest.controller';

@Module({
  imports: [AnalysisModule],
  controllers: [IngestController],
})
export class IngestModule {}
