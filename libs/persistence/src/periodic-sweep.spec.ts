import { Logger } from '@nestjs/common';
import { PeriodicSweep } from './periodic-sweep';

class CountingSweep extends PeriodicSweep {
  runs = 0;
  failNext = false;

  constructor() {
    super({ name: 'CountingSweep', everyMs: 1000, failure: 'counting failed' });
  }

  protected sweep(): Promise<number> {
    this.runs++;
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('database gone'));
    }
    return Promise.resolve(this.runs);
  }
}

describe(PeriodicSweep.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('sweeps every interval from init to shutdown, and warns of a failed sweep without stopping', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const sweep = new CountingSweep();
    sweep.onModuleInit();
    expect(sweep.runs).toBe(0);
    await jest.advanceTimersByTimeAsync(1000);
    expect(sweep.runs).toBe(1);
    sweep.failNext = true;
    await jest.advanceTimersByTimeAsync(1000);
    expect(warn).toHaveBeenCalledWith('counting failed: database gone');
    await jest.advanceTimersByTimeAsync(1000);
    expect(sweep.runs).toBe(3);
    sweep.onApplicationShutdown();
    await jest.advanceTimersByTimeAsync(5000);
    expect(sweep.runs).toBe(3);
  });
});
