import { ValidationError } from '@app/domain';
import { fromWireEvent } from './event.mapper';

describe(fromWireEvent.name, () => {
  const call = { id: 'e-1', atMs: Date.UTC(2024, 1, 6, 11), call: { caller: '19112345678', callee: '13800000002', durationSec: 34, answered: true, cell: '460-11-10001-1' } };

  it('maps a clean event', () => {
    expect(fromWireEvent(call, 'CTCC')).toMatchObject({ type: 'call', id: 'e-1', caller: '+8619112345678', callee: '+8613800000002', cell: '460-11-10001-1' });
  });

  it('refuses an event with a control character in any text field, naming the field', () => {
    expect(() => fromWireEvent({ ...call, id: 'e\u00001' }, 'CTCC')).toThrow(new ValidationError('MALFORMED' as never, 'id', 'must not contain control characters (such as NUL)'));
    expect(() => fromWireEvent({ ...call, call: { ...call.call, cell: '460-11-10001-1\u0000' } }, 'CTCC')).toThrow('call.cell: must not contain control characters');
    expect(() => fromWireEvent({ ...call, call: { ...call.call, caller: '1911234\u001b5678' } }, 'CTCC')).toThrow('call.caller: must not contain control characters');
  });
});
