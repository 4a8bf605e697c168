import { Inject, Injectable } from '@nestjs/common';
import type { admin } from '@app/contracts';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { OutboxRelay } from '../outbox/outbox-relay';
import { OutboxRepository } from '../outbox/outbox.repository';
import { AdminConnection } from './admin-connection';
import { toFeedItem } from './feed-item.mapper';

/** The ADMIN queue: decisions and daily counts to SubmitCarrierFeed, with the same guarantees as the registry's. */
@Injectable()
export class AdminRelay extends OutboxRelay<admin.FeedItem> {
  constructor(
    repository: OutboxRepository,
    connection: AdminConnection,
    @Inject(CARRIER_CONFIG) config: CarrierConfig,
  ) {
    super(repository, config, {
      destination: 'ADMIN',
      peer: 'administration',
      enabled: connection.enabled,
      itemsField: 'items',
      retryMaxMs: config.adminRetryMaxMs,
      toWire: (message) => toFeedItem(message.idempotencyKey, message.payload),
      submit: (items, deadlineMs) => connection.submitCarrierFeed(items, deadlineMs),
    });
  }
}
