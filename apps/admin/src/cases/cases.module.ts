import { Module } from '@nestjs/common';
import { OwnershipModule } from '../ownership/ownership.module';
import { CaseTracker } from './case-tracker.service';
import { CasesController } from './cases.controller';
import { CasesHttpController } from './cases.http.controller';
import { CasesRepository } from './cases.repository';
import { CasesService } from './cases.service';

/** Cases derived from the feed, the directives and the registry's verdicts; ListCases on gRPC and HTTP. */
@Module({
  imports: [OwnershipModule],
  controllers: [CasesController, CasesHttpController],
  providers: [CasesRepository, CaseTracker, CasesService],
  exports: [CasesService, CaseTracker],
})
export class CasesModule {}
