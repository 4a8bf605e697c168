import { Inject, Injectable } from '@nestjs/common';
import type { registry } from '@app/contracts';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { RegistryConnection } from '../registry-link/registry-connection';
import { toWireFlag, type RegistryFlagPayload } from './flag.mapper';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

/** The REGISTRY queue: flags to SubmitFlags, as source `carrier:<ID>`. */
@Injectable()
export class RegistryRelay extends OutboxRelay<registry.Flag> {
  constructor(
    repository: OutboxRepository,
    connection: RegistryConnection,
    @Inject(CARRIER_CONFIG) config: CarrierConfig,
  ) {
    const source = `carrier:${config.carrierId}`;
    super(repository, config, {
      destination: 'REGISTRY',
      peer: 'registry',
      enabled: connection.enabled,
      itemsField: 'flags',
      retryMaxMs: config.registryRetryMaxMs,
      toWire: (message) => toWireFlag(message.idempotencyKey, message.payload as RegistryFlagPayload, source),
      submit: (flags, deadlineMs) => connection.submitFlags(flags, deadlineMs),
    });
  }
}
