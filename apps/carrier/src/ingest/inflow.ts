/** The part of a grpc-js request stream that can stop reading (Node's Readable). */
export interface PausableStream {
  pause(): unknown;
  resume(): unknown;
}

/**
 * Bounds the messages of a request stream that arrived but are not yet
 * analysed: past `high` the stream stops reading (HTTP/2 flow control then
 * holds the sender back), and reads again once `low` or fewer wait. A sender
 * faster than the analysis is slowed, not buffered without bound.
 */
export class Inflow {
  private waiting = 0;
  private paused = false;

  constructor(
    private readonly stream: PausableStream | undefined,
    private readonly high = 64,
    private readonly low = 16,
  ) {}

  received(): void {
    this.waiting++;
    if (!this.paused && this.waiting >= this.high && this.stream) {
      this.paused = true;
      this.stream.pause();
    }
  }

  analysed(): void {
    this.waiting--;
    if (this.paused && this.waiting <= this.low && this.stream) {
      this.paused = false;
      this.stream.resume();
    }
  }
}
