import { Module } from '@nestjs/common';
import { RegistryLinkModule } from '../registry-link/registry-link.module';
import { OutboxRelay } from './outbox-relay.service';
import { OutboxRepository } from './outbox.repository';

/** Delivers the transactional outbox that DecisionRecorder fills. */
@Module({
  imports: [RegistryLinkModule],
  providers: [OutboxRepository, OutboxRelay],
  exports: [OutboxRelay],
})
export class OutboxModule {}
