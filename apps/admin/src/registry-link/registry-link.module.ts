import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { RegistryFollower } from './registry-follower.service';
import { RegistryLinkRepository } from './registry-link.repository';

/** The administration's link to the registry: police verdicts for the cases' clocks. */
@Module({
  imports: [CasesModule],
  providers: [RegistryLinkRepository, RegistryFollower],
})
export class RegistryLinkModule {}
