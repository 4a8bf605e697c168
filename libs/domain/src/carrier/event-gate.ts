import type { CarrierEvent } from './events';

export type GateVerdict = 'accept' | 'duplicate' | 'late';

/**
 * Admits events to the analysis: one whose id was seen is a duplicate; one older
 * than the newest event by more than the allowed lateness is late. Ids are
 * remembered for the lateness window plus a margin (a retried batch arrives
 * within it), so memory stays bounded.
 */
export class EventGate {
  private newest = Number.NEGATIVE_INFINITY;
  private ids = new Map<string, number>();
  private sincePrune = 0;

  constructor(
    private readonly latenessMs: number,
    private readonly idMemoryMs = Math.max(latenessMs * 2, 3_600_000),
  ) {}

  admit(event: CarrierEvent): GateVerdict {
    // A retry of an event already admitted is a duplicate however far the stream has moved on since.
    if (event.id !== undefined && this.ids.has(event.id)) return 'duplicate';
    // Directory records carry their activation time: never late.
    if (event.type !== 'subscriber' && event.at < this.newest - this.latenessMs) return 'late';
    if (event.id !== undefined) {
      this.ids.set(event.id, event.at);
      if (++this.sincePrune >= 100_000) this.prune();
    }
    if (event.type !== 'subscriber' && event.at > this.newest) this.newest = event.at;
    return 'accept';
  }

  private prune(): void {
    this.sincePrune = 0;
    const horizon = this.newest - this.idMemoryMs;
    for (const [id, at] of this.ids) if (at < horizon) this.ids.delete(id);
  }
}
