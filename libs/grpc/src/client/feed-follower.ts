import { status as GrpcCode, type ClientReadableStream } from '@grpc/grpc-js';
import type { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { backoffDelay, pause } from './backoff';

/** What a service does with a change feed (the registry's WatchChanges) it follows. */
export interface FeedConsumer<Change> {
  /** The last version stored: the feed is resumed after it. */
  cursor(): Promise<number>;
  /** Applies changes (in version order) durably, the cursor included; the feed goes on after it returns. */
  apply(changes: Change[]): Promise<void>;
}

export interface FeedFollowerOptions<Change> {
  /** Opens the feed after a version. */
  watch(sinceVersion: number): ClientReadableStream<{ change?: Change }>;
  versionOf(change: Change): number;
  consumer: FeedConsumer<Change>;
  logger: Logger;
  /** Reconnect pauses: the first, and the longest. */
  firstRetryMs: number;
  maxRetryMs: number;
  /** Changes applied per batch while catching up; live ones go as they come. */
  maxBatch?: number;
}

/**
 * Follows a change feed from a stored cursor, for good: batches of changes go to
 * the consumer (whole batches while catching up, as they come once caught up),
 * and whenever the stream ends or fails it reconnects with backoff from the
 * cursor, logging once per outage rather than once per retry.
 */
export class FeedFollower<Change> {
  private readonly stopping = new AbortController();
  private stream: ClientReadableStream<{ change?: Change }> | undefined;
  private running: Promise<void> | undefined;
  private cursor = 0;

  constructor(private readonly options: FeedFollowerOptions<Change>) {}

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.stream?.cancel();
    await this.running;
  }

  private async run(): Promise<void> {
    const { logger, firstRetryMs, maxRetryMs } = this.options;
    let failures = 0;
    let outage: number | undefined;
    while (!this.stopping.signal.aborted) {
      let reason: string;
      const opened = Date.now();
      try {
        this.cursor = await this.options.consumer.cursor();
        await this.follow(() => {
          if (outage !== undefined)
            logger.log(
              `registry change feed back after ${Math.round((Date.now() - outage) / 1000)} s, ` +
                `at version ${this.cursor}`,
            );
          outage = undefined;
          failures = 0;
        });
        reason = 'the stream ended (registry shutting down)';
      } catch (error) {
        if (tokenExpiredOn(error, Date.now() - opened)) {
          logger.log(
            'registry change feed: the token it was opened with expired; ' +
              `reopening at version ${this.cursor} with a renewed one`,
          );
          continue;
        }
        reason = (error as Error).message;
      }
      if (this.stopping.signal.aborted) return;
      failures++;
      if (outage === undefined) {
        outage = Date.now();
        logger.warn(
          `registry change feed unavailable at version ${this.cursor}: ${reason}; ` +
            `reconnecting with backoff (at most ${maxRetryMs} ms apart)`,
        );
      }
      await pause(backoffDelay(failures, firstRetryMs, maxRetryMs), this.stopping.signal);
    }
  }

  /** Reads the feed until it ends or fails; `onApplied` after each batch the consumer stored. */
  private async follow(onApplied: () => void): Promise<void> {
    // Stopped while the cursor was read: open nothing that stop() could no longer cancel.
    if (this.stopping.signal.aborted) return;
    const stream = this.options.watch(this.cursor);
    this.stream = stream;
    const maxBatch = this.options.maxBatch ?? 1000;
    let batch: Change[] = [];
    try {
      for await (const message of stream as AsyncIterable<{ change?: Change }>) {
        if (message.change) batch.push(message.change);
        // Nothing more buffered: the feed is caught up, so store what came rather than wait.
        if (batch.length >= maxBatch || (stream.readableLength === 0 && batch.length > 0)) {
          await this.options.consumer.apply(batch);
          this.cursor = this.options.versionOf(batch[batch.length - 1]);
          batch = [];
          onApplied();
        }
      }
    } finally {
      this.stream = undefined;
      stream.cancel();
    }
  }
}

/**
 * A stream must live this long before its UNAUTHENTICATED end counts as its
 * token expiring rather than a refused token.
 */
const MIN_LIFE_BEFORE_RENEWAL_MS = 1000;

/**
 * A stream that ran a while and then ended UNAUTHENTICATED outlived its token:
 * the server ends streams when their token expires. Its follower reopens at once
 * (the token source renews the token) rather than back off as from an outage; a
 * stream refused at the start (a bad or stale token) backs off as usual.
 */
export function tokenExpiredOn(error: unknown, openForMs: number): boolean {
  return (
    openForMs >= MIN_LIFE_BEFORE_RENEWAL_MS &&
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === GrpcCode.UNAUTHENTICATED
  );
}

/** The peer a FollowedFeed reads: whether it is called at all, and its feed after a version. */
export interface ChangeFeedSource<Change> {
  readonly enabled: boolean;
  watchChanges(sinceVersion: number): ClientReadableStream<{ change?: Change }>;
}

/** The first reconnect of a FollowedFeed waits this long; later ones double up to its longest pause. */
export const FEED_FIRST_RETRY_MS = 250;

/**
 * A service's follower of a peer's change feed (`version` orders its changes),
 * for the life of the app: it starts after every module's init, so whatever the
 * changes reach is loaded first, and only when the peer is configured; it stops
 * at shutdown. The service says where the feed resumes (`cursor`) and what a
 * batch does (`apply`).
 */
export abstract class FollowedFeed<Change extends { version: number }>
  implements FeedConsumer<Change>, OnApplicationBootstrap, OnModuleDestroy
{
  private readonly follower: FeedFollower<Change>;

  protected constructor(
    private readonly source: ChangeFeedSource<Change>,
    options: { logger: Logger; maxRetryMs: number },
  ) {
    this.follower = new FeedFollower({
      watch: (since) => this.source.watchChanges(since),
      versionOf: (change) => Number(change.version),
      consumer: this,
      logger: options.logger,
      firstRetryMs: FEED_FIRST_RETRY_MS,
      maxRetryMs: options.maxRetryMs,
    });
  }

  onApplicationBootstrap(): void {
    if (this.source.enabled) this.follower.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.follower.stop();
  }

  abstract cursor(): Promise<number>;

  abstract apply(changes: Change[]): Promise<void>;
}
