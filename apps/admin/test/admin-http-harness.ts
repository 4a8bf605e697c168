import type { Env } from '@app/config';
import type { Clock } from '@app/domain';
import { AdminHarness } from './admin-harness';

export type { HttpAnswer } from './admin-harness';

/** The wall clock moved by a test: real time plus an offset the test sets. */
export class TestClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** From now on the clock runs `ms` ahead of real time (0: real time again). */
  runAhead(ms: number): void {
    this.offsetMs = ms;
  }
}

/** The admin harness, started with named options (the HTTP tests' form). */
export type AdminHttpHarness = AdminHarness;
export const AdminHttpHarness = {
  start: (options: { env?: Env; clock?: Clock; keyDir?: string } = {}): Promise<AdminHarness> => AdminHarness.start(options.keyDir, options.env, options.clock),
};
