import { EventGate } from './event-gate';
import { UsageProfile, type CarrierEvent } from './events';

const call = (at: number, id?: string): CarrierEvent => ({
  type: 'call',
  id,
  at,
  caller: '+8619100000001' as never,
  callee: '+8619100000002' as never,
  durationSec: 10,
  answered: true,
});
const subscriber = (at: number): CarrierEvent => ({
  type: 'subscriber',
  at,
  msisdn: '+8619100000001' as never,
  carrier: 'CTCC',
  activatedAt: at,
  realNameVerified: true,
  profile: UsageProfile.None,
});

const NOW = Date.parse('2025-06-01T12:00:00+08:00');
const MINUTE = 60_000;

describe(EventGate.name, () => {
  it('accepts events in order and out of order within the lateness', () => {
    const gate = new EventGate({ latenessMs: 60_000, maxAheadMs: 120_000 });
    expect(gate.admit(call(1_000_000), NOW)).toBe('accept');
    expect(gate.admit(call(1_000_000 - 59_000), NOW)).toBe('accept');
    expect(gate.admit(call(1_000_000 - 61_000), NOW)).toBe('late');
  });

  it('ignores a repeated id', () => {
    const gate = new EventGate({ latenessMs: 60_000, maxAheadMs: 120_000 });
    expect(gate.admit(call(1_000, 'a'), NOW)).toBe('accept');
    expect(gate.admit(call(1_000, 'a'), NOW)).toBe('duplicate');
    expect(gate.admit(call(1_000, 'b'), NOW)).toBe('accept');
  });

  it('calls a retried event a duplicate, not late, once newer events have moved the stream on', () => {
    const gate = new EventGate({ latenessMs: 60_000, maxAheadMs: 120_000 });
    expect(gate.admit(call(1_000_000, 'early'), NOW)).toBe('accept');
    expect(gate.admit(call(2_000_000, 'later'), NOW)).toBe('accept');
    expect(gate.admit(call(1_000_000, 'early'), NOW)).toBe('duplicate');
    expect(gate.admit(call(1_000_000, 'never-seen'), NOW)).toBe('late');
  });

  it('forgets old ids, keeping memory bounded', () => {
    const gate = new EventGate({ latenessMs: 0, maxAheadMs: 0, idMemoryMs: 1000 });
    for (let i = 0; i < 100_001; i++) gate.admit(call(i * 10, `id-${i}`), NOW);
    expect((gate as unknown as { ids: Map<string, number> }).ids.size).toBeLessThan(1000);
  });

  it('refuses an event dated past the allowance ahead of the wall clock, and it moves nothing', () => {
    const gate = new EventGate({ latenessMs: 5 * MINUTE, maxAheadMs: 2 * MINUTE });
    expect(gate.admit(call(Date.parse('2099-12-31T00:00:00Z'), 'far'), NOW)).toBe('future');
    expect(gate.admit(call(NOW + 10 * MINUTE), NOW)).toBe('future');
    expect(gate.admit(call(NOW + 2 * MINUTE + 1), NOW)).toBe('future');
    expect(gate.admit(subscriber(NOW + 10 * MINUTE), NOW)).toBe('future');
    expect(gate.newest).toBe(Number.NEGATIVE_INFINITY);
    // Its id is not remembered either: the same event, sent again once its time has come, is analysed.
    expect(gate.admit(call(Date.parse('2099-12-31T00:00:00Z'), 'far'), Date.parse('2099-12-31T00:00:00Z'))).toBe(
      'accept',
    );
  });

  it('keeps analysing current events after a refused future one', () => {
    const gate = new EventGate({ latenessMs: 5 * MINUTE, maxAheadMs: 2 * MINUTE });
    expect(gate.admit(call(NOW + 10 * MINUTE), NOW)).toBe('future');
    expect(gate.admit(call(NOW), NOW)).toBe('accept');
    expect(gate.admit(call(NOW - 4 * MINUTE), NOW)).toBe('accept');
  });

  it('takes an event within the allowance, but moves the newest mark no further than the wall clock', () => {
    const gate = new EventGate({ latenessMs: 5 * MINUTE, maxAheadMs: 2 * MINUTE });
    expect(gate.admit(call(NOW + 2 * MINUTE), NOW)).toBe('accept');
    expect(gate.newest).toBe(NOW);
    // Another sender's events, on time by the wall clock, stay within the lateness of the mark.
    expect(gate.admit(call(NOW - 5 * MINUTE), NOW)).toBe('accept');
    expect(gate.admit(call(NOW - 5 * MINUTE - 1), NOW)).toBe('late');
    // As the clock moves on, so does the mark, with the events.
    expect(gate.admit(call(NOW + MINUTE), NOW + MINUTE)).toBe('accept');
    expect(gate.newest).toBe(NOW + MINUTE);
  });

  it('runs historic streams on their own time: events long past move the mark as before', () => {
    const gate = new EventGate({ latenessMs: 5 * MINUTE, maxAheadMs: 2 * MINUTE });
    const t = Date.parse('2024-03-02T10:00:00+08:00');
    expect(gate.admit(call(t), NOW)).toBe('accept');
    expect(gate.newest).toBe(t);
    expect(gate.admit(call(t - 6 * MINUTE), NOW)).toBe('late');
    // Subscriber records are never late and never move the mark.
    expect(gate.admit(subscriber(t - 365 * 24 * 60 * MINUTE), NOW)).toBe('accept');
    expect(gate.newest).toBe(t);
  });
});
