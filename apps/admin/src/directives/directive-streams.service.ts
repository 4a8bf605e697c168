import { Inject, Injectable, Logger } from '@nestjs/common';
import { concatMap, from, interval, Observable, type Subscription } from 'rxjs';
import { CLOCK, type Clock } from '@app/domain';
import { DirectiveStatus, OPEN_STATUSES, type DirectiveAck, type DirectiveRecord } from './directive';
import { DirectiveNotifier } from './directive-notifier';
import { DirectivesRepository } from './directives.repository';
import { DirectivesService } from './directives.service';

/** How often an open stream looks for directives committed by other admin replicas. */
export const STREAM_POLL_MS = 2000;

/**
 * One StreamDirectives call: first the carrier's current high-risk cell list,
 * then its open directives in issued order, then new ones as they are issued.
 * Every send is counted; the carrier's acknowledgements are recorded as they come.
 */
@Injectable()
export class DirectiveStreams {
  private readonly logger = new Logger(DirectiveStreams.name);

  constructor(
    private readonly directives: DirectivesService,
    private readonly repository: DirectivesRepository,
    private readonly notifier: DirectiveNotifier,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Ends when the carrier closes its side, or at shutdown. */
  open(carrier: string, acks: Observable<DirectiveAck>): Observable<DirectiveRecord> {
    return new Observable<DirectiveRecord>((subscriber) => {
      const sent = new Set<string>();
      let closed = false;
      let opened = false;
      let pumping: Promise<void> | null = null;
      let again = false;

      const deliver = async (): Promise<void> => {
        const batch: DirectiveRecord[] = [];
        if (!opened) {
          const list = await this.directives.resendCellList(carrier);
          if (list) batch.push(list);
        }
        // After the opening, only PENDING ones are new: DELIVERED ones went out on this or another live stream.
        const open = await this.repository.openFor(
          carrier,
          opened ? [DirectiveStatus.Pending] : OPEN_STATUSES,
          this.clock.now(),
        );
        const fresh = open.filter((d) => !sent.has(d.id) && !batch.some((b) => b.id === d.id));
        await this.repository.markDelivered(
          fresh.map((d) => d.id),
          this.clock.now(),
        );
        opened = true;
        for (const d of [...batch, ...fresh]) {
          if (closed) return;
          sent.add(d.id);
          subscriber.next(d);
        }
      };
      // One delivery at a time per stream; a wake-up during one runs another after it.
      const wake = (): void => {
        if (closed) return;
        if (pumping) {
          again = true;
          return;
        }
        pumping = (async () => {
          do {
            again = false;
            await deliver();
          } while (again && !closed);
        })()
          .catch((error: unknown) =>
            this.logger.warn(
              `directive stream of ${carrier}: ${(error as Error).message}; retrying in ${STREAM_POLL_MS} ms`,
            ),
          )
          .finally(() => {
            pumping = null;
          });
      };

      const subscriptions: Subscription[] = [
        this.notifier.issuedFor(carrier).subscribe({ next: wake, complete: () => subscriber.complete() }),
        interval(STREAM_POLL_MS).subscribe(wake),
        acks
          // In order, one at a time; a failed write is logged and the stream goes on.
          .pipe(concatMap((ack) => from(this.record(carrier, ack))))
          .subscribe({ complete: () => subscriber.complete(), error: () => subscriber.complete() }),
      ];
      wake();
      return () => {
        closed = true;
        subscriptions.forEach((s) => s.unsubscribe());
      };
    });
  }

  private async record(carrier: string, ack: DirectiveAck): Promise<void> {
    try {
      await this.directives.acknowledge(carrier, ack);
    } catch (error) {
      this.logger.error(
        `acknowledgement of ${ack.directiveId.slice(0, 64)} by ${carrier} not recorded: ${(error as Error).message}`,
      );
    }
  }
}
