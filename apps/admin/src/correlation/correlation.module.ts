import { Module } from '@nestjs/common';
import { DirectivesModule } from '../directives/directives.module';
import { OwnershipModule } from '../ownership/ownership.module';
import { CorrelationService } from './correlation.service';

@Module({
  imports: [OwnershipModule, DirectivesModule],
  providers: [CorrelationService],
  exports: [CorrelationService],
})
export class CorrelationModule {}
