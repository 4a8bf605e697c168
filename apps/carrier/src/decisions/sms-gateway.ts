import { Injectable, Logger } from '@nestjs/common';

/** A notice to deliver by SMS. */
export interface SmsMessage {
  noticeId: string;
  msisdn: string;
  text: string;
}

/**
 * Delivers SMS to subscribers. `send` resolves once the gateway has accepted
 * the message and rejects when it did not (the notice is retried later).
 */
export interface SmsGateway {
  send(message: SmsMessage): Promise<void>;
}

/** Injection token of the SmsGateway. */
export const SMS_GATEWAY = Symbol('SMS_GATEWAY');

/**
 * The default gateway: one structured log line per message. The stored notice
 * is the real output (ListNotices shows it); a carrier plugs its SMS centre in here.
 */
@Injectable()
export class LoggingSmsGateway implements SmsGateway {
  private readonly logger = new Logger('SmsGateway');

  send(message: SmsMessage): Promise<void> {
    this.logger.log(
      JSON.stringify({ event: 'sms', noticeId: message.noticeId, msisdn: message.msisdn, text: message.text }),
    );
    return Promise.resolve();
  }
}
