import { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import { admin } from '@app/contracts';
import { carrierConfig } from '../config/carrier.config';
import type { AdminConnection, DirectiveStreamCall } from './admin-connection';
import type { DirectiveApplier } from './directive-applier.service';
import { DirectiveStream } from './directive-stream.service';

/** One StreamDirectives call, as grpc-js gives it: directives to read, acks written back. */
class FakeCall extends Duplex {
  readonly acks: admin.StreamDirectivesRequest[] = [];
  cancelled = false;

  constructor() {
    super({ objectMode: true, read: () => undefined });
  }
  override _write(chunk: admin.StreamDirectivesRequest, _encoding: string, done: () => void): void {
    this.acks.push(chunk);
    done();
  }
  cancel(): void {
    this.cancelled = true;
    this.push(null);
  }
  directive(id: string): void {
    this.push({
      directive: { directiveId: id, kind: admin.DirectiveKind.DIRECTIVE_KIND_SUSPEND, msisdn: '+8619100009999' },
    });
  }
}

const unavailable = () => Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(done()).toBe(true);
};

describe(DirectiveStream.name, () => {
  let calls: FakeCall[];
  let refuse: number;
  let applied: string[];
  let stream: DirectiveStream;

  beforeEach(() => {
    calls = [];
    refuse = 0;
    applied = [];
    const connection = {
      enabled: true,
      streamDirectives: () => {
        const call = new FakeCall();
        calls.push(call);
        // The administration is down: the call fails at once.
        if (refuse-- > 0) setImmediate(() => call.destroy(unavailable()));
        else setImmediate(() => call.emit('metadata'));
        return call as unknown as DirectiveStreamCall;
      },
    } as unknown as AdminConnection;
    const applier = {
      apply: async (d: admin.Directive) => {
        applied.push(d.directiveId);
        return {
          directiveId: d.directiveId,
          outcome: admin.DirectiveOutcome.DIRECTIVE_OUTCOME_APPLIED,
          detail: 'suspended (was NONE)',
          state: 'ACTION_SUSPEND',
        };
      },
    } as unknown as DirectiveApplier;
    stream = new DirectiveStream(
      connection,
      applier,
      carrierConfig({ CARRIER_ID: 'CTCC', ADMIN_ADDRESS: 'admin:50052', ADMIN_RETRY_MAX_MS: '100' }),
    );
    for (const level of ['log', 'warn'] as const)
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
  });
  afterEach(async () => {
    await stream.onModuleDestroy();
    jest.restoreAllMocks();
  });

  it('applies each directive in order and acknowledges it on the same stream', async () => {
    stream.onApplicationBootstrap();
    await until(() => calls.length === 1);
    calls[0].directive('d-1');
    calls[0].directive('d-2');
    await until(() => calls[0].acks.length === 2);
    expect(applied).toEqual(['d-1', 'd-2']);
    expect(calls[0].acks.map((a) => a.ack?.directiveId)).toEqual(['d-1', 'd-2']);
    expect(calls[0].acks[0]).toEqual({
      ack: {
        directiveId: 'd-1',
        outcome: 'DIRECTIVE_OUTCOME_APPLIED',
        detail: 'suspended (was NONE)',
        state: 'ACTION_SUSPEND',
      },
    });
  });

  it('reopens the stream with backoff while the administration is down, saying so once and when it ends', async () => {
    refuse = 4;
    stream.onApplicationBootstrap();
    await until(() => calls.length === 5);
    expect(Logger.prototype.warn).toHaveBeenCalledTimes(1);
    expect(Logger.prototype.warn).toHaveBeenCalledWith(
      expect.stringContaining('directive stream unavailable: 14 UNAVAILABLE'),
    );
    await until(() =>
      (Logger.prototype.log as jest.Mock).mock.calls.some(([line]) =>
        String(line).startsWith('directive stream back after'),
      ),
    );
    // The administration restarts: the stream ends, and a new one is opened, where redelivered directives arrive.
    calls[4].push(null);
    await until(() => calls.length === 6);
    calls[5].directive('d-1');
    await until(() => calls[5].acks.length === 1);
    expect(applied).toEqual(['d-1']);
  });

  it('cancels the open stream on shutdown', async () => {
    stream.onApplicationBootstrap();
    await until(() => calls.length === 1);
    await stream.onModuleDestroy();
    expect(calls[0].cancelled).toBe(true);
    expect(calls).toHaveLength(1);
  });
});
