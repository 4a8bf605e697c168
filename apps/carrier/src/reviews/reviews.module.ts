import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module';
import { ReviewsController } from './reviews.controller';
import { ReviewsService } from './reviews.service';

/** People review the old numbers: the review tasks' RPCs. Their repository comes with the decisions (it opens them). */
@Module({
  imports: [AnalysisModule],
  controllers: [ReviewsController],
  providers: [ReviewsService],
})
export class ReviewsModule {}
