import { Module } from '@nestjs/common';
import { RegistryLinkModule } from '../registry-link/registry-link.module';
import { OutboxJanitor } from './outbox-janitor.service';
import { OutboxMetrics } from './outbox-metrics';
import { OutboxRepository } from './outbox.repository';
import { RegistryRelay } from './registry-relay.service';

/**
 * Delivers the transactional outbox that DecisionRecorder fills: the REGISTRY
 * queue here; the ADMIN queue's relay lives with the rest of the administration
 * link (AdminLinkModule), on the same repository.
 */
@Module({
  imports: [RegistryLinkModule],
  providers: [OutboxRepository, RegistryRelay, OutboxJanitor, OutboxMetrics],
  exports: [OutboxRepository, RegistryRelay],
})
export class OutboxModule {}
