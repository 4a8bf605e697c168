import { Module } from '@nestjs/common';
import { OwnershipModule } from '../ownership/ownership.module';
import { DirectiveExpiry } from './directive-expiry.service';
import { DirectiveNotifier } from './directive-notifier';
import { DirectiveStreams } from './directive-streams.service';
import { DirectivesController } from './directives.controller';
import { DirectivesRepository } from './directives.repository';
import { DirectivesService } from './directives.service';

@Module({
  imports: [OwnershipModule],
  controllers: [DirectivesController],
  providers: [DirectivesRepository, DirectivesService, DirectiveNotifier, DirectiveStreams, DirectiveExpiry],
  exports: [DirectivesService],
})
export class DirectivesModule {}
