import { Module } from '@nestjs/common';
import { DecisionsModule } from '../decisions/decisions.module';
import { PoliciesRepository } from '../policies/policies.repository';
import { ReactivationRepository } from '../reactivation/reactivation.repository';
import { RegistryLinkRepository } from '../registry-link/registry-link.repository';
import { SubscribersRepository } from '../subscribers/subscribers.repository';
import { AnalysisService } from './analysis.service';
import { EvidenceRepository } from './evidence.repository';
import { ShardForwarder } from '../shard/shard-forwarder';

/**
 * The engine, its evidence on disk (journal and snapshots), and the
 * repositories it is rebuilt from at start-up. The
 * re-activation and registry-link modules import this one, so their
 * repositories are provided here, once, and exported to them.
 */
@Module({
  imports: [DecisionsModule],
  providers: [
    AnalysisService,
    EvidenceRepository,
    PoliciesRepository,
    SubscribersRepository,
    ReactivationRepository,
    RegistryLinkRepository,
    ShardForwarder,
  ],
  exports: [
    AnalysisService,
    ShardForwarder,
    PoliciesRepository,
    SubscribersRepository,
    ReactivationRepository,
    RegistryLinkRepository,
    DecisionsModule,
  ],
})
export class AnalysisModule {}
