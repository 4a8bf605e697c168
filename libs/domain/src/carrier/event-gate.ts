import type { CarrierEvent } from './events';
import { ImageReader, ImageWriter } from './image';

/** The layout of gate images (saveImage): bump it whenever what it writes changes. */
export const GATE_IMAGE_FORMAT = 1;
/** The first bytes of a gate image: "CAGI". */
const GATE_IMAGE_MARK = 0x49474143;

export type GateVerdict = 'accept' | 'duplicate' | 'late' | 'future';

export interface EventGateOptions {
  /** How far behind the newest mark an event may be and still be analysed. */
  latenessMs: number;
  /**
   * How far ahead of the wall clock an event may be dated (the senders' clock skew);
   * later ones are refused as future.
   */
  maxAheadMs: number;
  /** How long ids are remembered; by default twice the lateness, at least an hour. */
  idMemoryMs?: number;
}

/**
 * Admits events to the live analysis. The wall clock is an argument of every
 * call (the gate does no I/O), and it only bounds what the senders may claim:
 * the analysis itself runs on event time.
 *
 * - An event dated more than `maxAheadMs` after the wall clock is `future`.
 * - One whose id was seen is a `duplicate`.
 * - One older than the newest mark by more than the lateness is `late`.
 *
 * The newest mark is the latest event time seen, but never later than the wall
 * clock at the time it was seen: an event dated ahead within the allowance is
 * analysed at its own time, yet moves the mark only to now. So no sender can push
 * the mark past the wall clock and make everyone else's current events late.
 * Ids are remembered for the lateness window plus a margin (a retried batch
 * arrives within it), so memory stays bounded.
 */
export class EventGate {
  private mark = Number.NEGATIVE_INFINITY;
  private ids = new Map<string, number>();
  private sincePrune = 0;
  private readonly latenessMs: number;
  private readonly maxAheadMs: number;
  private readonly idMemoryMs: number;

  constructor(options: EventGateOptions) {
    this.latenessMs = options.latenessMs;
    this.maxAheadMs = options.maxAheadMs;
    this.idMemoryMs = options.idMemoryMs ?? Math.max(options.latenessMs * 2, 3_600_000);
  }

  /**
   * A gate that goes on where the one that saved `bytes` (saveImage) stood; `options` are the gate's own (they are
   * not in the image). An image of another format throws.
   */
  static fromImage(options: EventGateOptions, bytes: Uint8Array): EventGate {
    const r = new ImageReader([bytes]);
    if (r.u32() !== GATE_IMAGE_MARK) throw new Error('not an event gate image');
    const format = r.u32();
    if (format !== GATE_IMAGE_FORMAT)
      throw new Error(`event gate image of format ${format}: this gate reads format ${GATE_IMAGE_FORMAT}`);
    const gate = new EventGate(options);
    gate.mark = r.f64();
    gate.sincePrune = r.u32();
    const ids = r.strings();
    const at = r.array((n) => new Float64Array(n));
    if (ids.length !== at.length) throw new Error('image: event ids without their times');
    for (let i = 0; i < ids.length; i++) gate.ids.set(ids[i], at[i]);
    r.end();
    return gate;
  }

  /** Its mark and the ids it remembers (in the order it met them), with their event times: one byte array. */
  saveImage(): Uint8Array {
    const w = new ImageWriter(Number.MAX_SAFE_INTEGER);
    w.u32(GATE_IMAGE_MARK);
    w.u32(GATE_IMAGE_FORMAT);
    w.f64(this.mark);
    w.u32(this.sincePrune);
    w.strings([...this.ids.keys()]);
    w.array(Float64Array.from(this.ids.values()));
    return w.finish()[0];
  }

  /** The newest mark: the latest event time admitted, bounded by the wall clock when it was admitted. */
  get newest(): number {
    return this.mark;
  }

  /** `nowMs`: the service's wall clock. */
  admit(event: CarrierEvent, nowMs: number): GateVerdict {
    if (event.at > nowMs + this.maxAheadMs) return 'future';
    // A retry of an event already admitted is a duplicate however far the stream has moved on since.
    if (event.id !== undefined && this.ids.has(event.id)) return 'duplicate';
    // Directory records carry their activation time: never late, and they do not move the mark.
    const timed = event.type !== 'subscriber';
    if (timed && event.at < this.mark - this.latenessMs) return 'late';
    if (event.id !== undefined) {
      this.ids.set(event.id, event.at);
      if (++this.sincePrune >= 100_000) this.prune();
    }
    if (timed) {
      const at = event.at < nowMs ? event.at : nowMs;
      if (at > this.mark) this.mark = at;
    }
    return 'accept';
  }

  private prune(): void {
    this.sincePrune = 0;
    const horizon = this.mark - this.idMemoryMs;
    for (const [id, at] of this.ids) if (at < horizon) this.ids.delete(id);
  }
}
