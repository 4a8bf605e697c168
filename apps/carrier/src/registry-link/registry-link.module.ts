import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module';
import { RegistryConnection } from './registry-connection';
import { RegistryFollower } from './registry-follower.service';
import { RegistryLinkRepository } from './registry-link.repository';

/** The carrier's link to the registry: one channel, and the follower of its change feed. */
@Module({
  imports: [AnalysisModule],
  providers: [RegistryConnection.provider, RegistryLinkRepository, RegistryFollower],
  exports: [RegistryConnection],
})
export class RegistryLinkModule {}
