import { EventGate } from './event-gate';
import type { CarrierEvent } from './events';

const call = (at: number, id?: string): CarrierEvent => ({ type: 'call', id, at, caller: '+8619100000001' as never, callee: '+8619100000002' as never, durationSec: 10, answered: true });

describe(EventGate.name, () => {
  it('accepts events in order and out of order within the lateness', () => {
    const gate = new EventGate(60_000);
    expect(gate.admit(call(1_000_000))).toBe('accept');
    expect(gate.admit(call(1_000_000 - 59_000))).toBe('accept');
    expect(gate.admit(call(1_000_000 - 61_000))).toBe('late');
  });

  it('ignores a repeated id', () => {
    const gate = new EventGate(60_000);
    expect(gate.admit(call(1_000, 'a'))).toBe('accept');
    expect(gate.admit(call(1_000, 'a'))).toBe('duplicate');
    expect(gate.admit(call(1_000, 'b'))).toBe('accept');
  });

  it('calls a retried event a duplicate, not late, once newer events have moved the stream on', () => {
    const gate = new EventGate(60_000);
    expect(gate.admit(call(1_000_000, 'early'))).toBe('accept');
    expect(gate.admit(call(2_000_000, 'later'))).toBe('accept');
    expect(gate.admit(call(1_000_000, 'early'))).toBe('duplicate');
    expect(gate.admit(call(1_000_000, 'never-seen'))).toBe('late');
  });

  it('forgets old ids, keeping memory bounded', () => {
    const gate = new EventGate(0, 1000);
    for (let i = 0; i < 100_001; i++) gate.admit(call(i * 10, `id-${i}`));
    expect((gate as unknown as { ids: Map<string, number> }).ids.size).toBeLessThan(1000);
  });
});
