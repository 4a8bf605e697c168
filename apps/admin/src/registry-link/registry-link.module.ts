import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { RegistryConnection } from './registry-connection';
import { RegistryFollower } from './registry-follower.service';
import { RegistryLinkRepository } from './registry-link.repository';

/**
 * The administration's link to the registry: police verdicts for the cases'
 * clocks, a number's status for its look-up.
 */
@Module({
  imports: [CasesModule],
  providers: [RegistryConnection, RegistryLinkRepository, RegistryFollower],
  exports: [RegistryConnection],
})
export class RegistryLinkModule {}
