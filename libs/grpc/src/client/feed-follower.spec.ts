import { PassThrough } from 'node:stream';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { FollowedFeed, type ChangeFeedSource } from './feed-follower';

interface Change {
  version: number;
}

/** A peer whose feed is a stream the test writes to; records where each watch started. */
class FakeSource implements ChangeFeedSource<Change> {
  readonly watched: number[] = [];
  stream = new PassThrough({ objectMode: true });

  constructor(readonly enabled: boolean) {}

  watchChanges(sinceVersion: number): ClientReadableStream<{ change?: Change }> {
    this.watched.push(sinceVersion);
    const stream = this.stream as PassThrough & { cancel?: () => void };
    stream.cancel = () => stream.end();
    return stream as unknown as ClientReadableStream<{ change?: Change }>;
  }
}

class Follower extends FollowedFeed<Change> {
  readonly applied: Change[][] = [];
  stored = 5;

  constructor(source: FakeSource) {
    super(source, { logger: new Logger('test'), maxRetryMs: 1000 });
  }

  cursor(): Promise<number> {
    return Promise.resolve(this.stored);
  }

  apply(changes: Change[]): Promise<void> {
    this.applied.push(changes);
    this.stored = changes[changes.length - 1].version;
    return Promise.resolve();
  }
}

const until = async (done: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(done()).toBe(true);
};

describe(FollowedFeed.name, () => {
  it('follows the feed from the stored cursor once the app has started, until it shuts down', async () => {
    const source = new FakeSource(true);
    const follower = new Follower(source);
    follower.onApplicationBootstrap();
    await until(() => source.watched.length === 1);
    expect(source.watched).toEqual([5]);
    source.stream.write({ change: { version: 6 } });
    await until(() => follower.applied.length === 1);
    expect(follower.applied).toEqual([[{ version: 6 }]]);
    await follower.onModuleDestroy();
  });

  it('opens no feed when the peer is not configured', async () => {
    const source = new FakeSource(false);
    const follower = new Follower(source);
    follower.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(source.watched).toEqual([]);
    await follower.onModuleDestroy();
  });
});
