import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { DirectivesModule } from '../directives/directives.module';
import { OwnershipModule } from '../ownership/ownership.module';
import { RegistryLinkModule } from '../registry-link/registry-link.module';
import { LookupController } from './lookup.controller';
import { LookupHttpController } from './lookup.http.controller';
import { LookupRepository } from './lookup.repository';
import { LookupService } from './lookup.service';

/** LookupNumber on gRPC and HTTP: audited, with a purpose. */
@Module({
  imports: [OwnershipModule, DirectivesModule, CasesModule, RegistryLinkModule],
  controllers: [LookupController, LookupHttpController],
  providers: [LookupRepository, LookupService],
})
export class LookupModule {}
