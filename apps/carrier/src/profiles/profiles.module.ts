import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module';
import { SubscriberRequests } from '../requests/subscriber-requests';
import { ProfilesController } from './profiles.controller';
import { ProfilesRepository } from './profiles.repository';
import { ProfilesService } from './profiles.service';

@Module({
  imports: [AnalysisModule],
  controllers: [ProfilesController],
  providers: [SubscriberRequests, ProfilesRepository, ProfilesService],
})
export class ProfilesModule {}
