/** The wall clock, injectable so tests can fix it. Analysis never uses it: it runs on event time. */
export interface Clock {
  now(): Date;
}

export const SYSTEM_CLOCK: Clock = { now: () => new Date() };

export const CLOCK = Symbol('CLOCK');
