import type { Clock } from '@app/domain';

/** The wall clock moved by a test: real time plus an offset the test sets (StartOptions.clock). */
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
