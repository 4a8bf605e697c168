import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module';
import { RegistryConnection } from './registry-connection';
import { RegistryFollower } from './registry-follower.service';

/**
 * The carrier's link to the registry: one channel, and the follower of its
 * change feed. Its repository comes from the analysis module, which reads the
 * registry copy at start-up.
 */
@Module({
  imports: [AnalysisModule],
  providers: [RegistryConnection.provider, RegistryFollower],
  exports: [RegistryConnection],
})
export class RegistryLinkModule {}
