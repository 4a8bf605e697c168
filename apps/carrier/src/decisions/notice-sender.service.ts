import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DecisionsRepository, type PendingNotice } from './decisions.repository';
import { NOTICE_SENDER_CONFIG, type NoticeSenderConfig } from './notice-sender.config';
import { SMS_GATEWAY, type SmsGateway } from './sms-gateway';

/**
 * Sends stored notices through the SMS gateway and marks them sent. Replicas
 * share the work: each locks its own batch (SKIP LOCKED), so no notice is sent
 * by two of them. A process dying between the gateway's acceptance and the
 * commit leaves that batch unsent, to be sent again: a duplicate SMS is better
 * than a warning never given.
 */
@Injectable()
export class NoticeSender implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(NoticeSender.name);
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<number> | null = null;

  constructor(
    private readonly repository: DecisionsRepository,
    @Inject(SMS_GATEWAY) private readonly gateway: SmsGateway,
    @Inject(NOTICE_SENDER_CONFIG) private readonly config: NoticeSenderConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sendPending(), this.config.intervalMs);
    this.timer.unref();
  }

  /** Stops the rounds and waits for the one under way (before the database pool closes). */
  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.round;
  }

  /** Sends every unsent notice, a batch per transaction; resolves with how many were sent. One round at a time. */
  sendPending(): Promise<number> {
    this.round ??= this.drain().finally(() => (this.round = null));
    return this.round;
  }

  private async drain(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const { locked, sent } = await this.repository.deliverUnsent(this.config.batch, (notices) =>
          this.deliver(notices),
        );
        total += sent;
        // A short batch: nothing more is unsent (or other senders hold it); a failed send: retry next round.
        if (locked < this.config.batch || sent < locked) return total;
      }
    } catch (error) {
      this.logger.error(`sending notices failed: ${(error as Error).message}`);
      return total;
    }
  }

  /** Sends in order and stops at the first refusal: the gateway is likely down, the rest waits. */
  private async deliver(notices: PendingNotice[]): Promise<string[]> {
    const sent: string[] = [];
    for (const notice of notices) {
      try {
        await this.gateway.send({ noticeId: notice.id, msisdn: notice.msisdn, text: notice.text });
      } catch (error) {
        this.logger.warn(`SMS gateway refused notice ${notice.id}: ${(error as Error).message}`);
        break;
      }
      sent.push(notice.id);
    }
    return sent;
  }
}
