/**
 * Runs tasks that share a key one after the other, in this process. A write with
 * an idempotency key acts on the in-memory engine before its row is stored, so
 * two calls with the same key must not overlap: the second must see the first's
 * row (and replay it, or refuse other content) before it acts.
 */
export class SerialByKey {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting (for tests: nothing is kept once done). */
  get size(): number {
    return this.tails.size;
  }
}
