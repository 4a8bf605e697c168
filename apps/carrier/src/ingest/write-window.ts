/**
 * The writes of an IngestEvents stream still in flight: batch n+1 is analysed
 * while batch n's decisions are being made durable, up to `limit` batches
 * behind; `settle()` waits for all of them before the stream is answered.
 * The first failure is kept and thrown by the next add() or by settle().
 */
export class WriteWindow {
  private readonly pending: Promise<void>[] = [];
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  get inFlight(): number {
    return this.pending.length;
  }

  /** Tracks one batch's writes; waits for the oldest once more than `limit` are in flight. */
  async add(write: Promise<void>): Promise<void> {
    this.throwIfFailed();
    this.pending.push(write.catch((error: unknown) => void (this.failure ??= { error })));
    while (this.pending.length > this.limit) await this.pending.shift();
    this.throwIfFailed();
  }

  /** Resolves once every tracked write is durable; rejects with the first failure. */
  async settle(): Promise<void> {
    while (this.pending.length > 0) await this.pending.shift();
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
