import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { filter, Subject, type Observable } from 'rxjs';
import { outsideTransaction } from '@app/persistence';

/**
 * Wakes this process's directive streams when a directive for their carrier
 * was committed here. Other replicas' directives are found by the streams' poll.
 */
@Injectable()
export class DirectiveNotifier implements OnApplicationShutdown {
  private readonly issued = new Subject<string>();

  /** The streams woken read on connections of their own, even when the caller is inside a transaction. */
  notify(carriers: Iterable<string>): void {
    outsideTransaction(() => {
      for (const carrier of new Set(carriers)) this.issued.next(carrier);
    });
  }

  /** Emits on each directive for the carrier; completes at shutdown, which ends the streams. */
  issuedFor(carrier: string): Observable<string> {
    return this.issued.pipe(filter((c) => c === carrier));
  }

  onApplicationShutdown(): void {
    this.issued.complete();
  }
}
