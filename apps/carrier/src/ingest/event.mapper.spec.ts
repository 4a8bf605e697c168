import { parseEvent, ValidationError, ValidationErrorCode } from '@app/domain';
import { fromWireEvent } from './event.mapper';

describe(fromWireEvent.name, () => {
  const call = {
    id: 'e-1',
    atMs: Date.UTC(2024, 1, 6, 11),
    call: { caller: '19112345678', callee: '13800000002', durationSec: 34, answered: true, cell: '460-11-10001-1' },
  };
  /** The same call as a line of an event file. */
  const line = {
    type: 'call',
    id: 'e-1',
    at: '2024-02-06T11:00:00Z',
    caller: '19112345678',
    callee: '13800000002',
    durationSec: 34,
    answered: true,
    cell: '460-11-10001-1',
  };

  it('maps a clean event', () => {
    expect(fromWireEvent(call, 'CTCC')).toMatchObject({
      type: 'call',
      id: 'e-1',
      caller: '+8619112345678',
      callee: '+8613800000002',
      cell: '460-11-10001-1',
    });
  });

  it('refuses an event with a control character in any text field, naming the field', () => {
    expect(() => fromWireEvent({ ...call, id: 'e\u00001' }, 'CTCC')).toThrow(
      new ValidationError('MALFORMED' as never, 'id', 'must not contain control characters (such as NUL)'),
    );
    expect(() => fromWireEvent({ ...call, call: { ...call.call, cell: '460-11-10001-1\u0000' } }, 'CTCC')).toThrow(
      'call.cell: must not contain control characters',
    );
    expect(() => fromWireEvent({ ...call, call: { ...call.call, caller: '1911234\u001b5678' } }, 'CTCC')).toThrow(
      'call.caller: must not contain control characters',
    );
  });

  it('reads an event as the event file does: the same event from either form', () => {
    expect(fromWireEvent(call, 'CTCC')).toEqual(parseEvent(line));
    const subscriber = {
      id: '',
      atMs: 0,
      subscriber: {
        msisdn: '19112345678',
        activatedAtMs: Date.UTC(2024, 1, 6, 11),
        realNameVerified: true,
        profile: 'USAGE_PROFILE_COURIER' as never,
      },
    };
    expect(fromWireEvent(subscriber, 'CTCC')).toEqual(
      parseEvent({
        type: 'subscriber',
        carrier: 'CTCC',
        msisdn: '19112345678',
        activatedAt: '2024-02-06T11:00:00Z',
        realNameVerified: true,
        profile: 'courier',
      }),
    );
  });

  it('refuses what the event file refuses, naming the field as the wire spells it', () => {
    const refusal = (thunk: () => unknown): ValidationError => {
      try {
        thunk();
      } catch (error) {
        return error as ValidationError;
      }
      throw new Error('accepted');
    };
    const tooLong = [
      refusal(() => fromWireEvent({ ...call, call: { ...call.call, durationSec: 86_401 } }, 'CTCC')),
      refusal(() => parseEvent({ ...line, durationSec: 86_401 })),
    ];
    expect(tooLong.map((e) => [e.field, e.code, e.reason])).toEqual([
      ['call.duration_sec', ValidationErrorCode.OutOfRange, 'must be a number of seconds from 0 to 86400 (24 hours)'],
      ['durationSec', ValidationErrorCode.OutOfRange, 'must be a number of seconds from 0 to 86400 (24 hours)'],
    ]);
    const late = Date.UTC(2100, 0, 1);
    expect(refusal(() => fromWireEvent({ ...call, atMs: late }, 'CTCC'))).toMatchObject({
      field: 'at_ms',
      code: ValidationErrorCode.OutOfRange,
    });
    expect(refusal(() => parseEvent({ ...line, at: '2100-01-01T00:00:00Z' }))).toMatchObject({
      field: 'at',
      code: ValidationErrorCode.OutOfRange,
    });
    expect(refusal(() => fromWireEvent({ ...call, atMs: 0 }, 'CTCC'))).toMatchObject({
      field: 'at_ms',
      code: ValidationErrorCode.Required,
      reason: 'a time is required, as milliseconds since the Unix epoch',
    });
    const subscriber = {
      id: '',
      atMs: 0,
      subscriber: {
        msisdn: '19112345678',
        activatedAtMs: 0,
        realNameVerified: true,
        profile: 'USAGE_PROFILE_UNSPECIFIED' as never,
      },
    };
    expect(refusal(() => fromWireEvent(subscriber, 'CTCC'))).toMatchObject({
      field: 'subscriber.activated_at_ms',
      code: ValidationErrorCode.Required,
    });
  });

  it('needs a report category, and a kind', () => {
    const report = {
      id: '',
      atMs: call.atMs,
      report: { reporter: '13800000002', reported: '19112345678', category: 'REPORT_CATEGORY_UNSPECIFIED' as never },
    };
    expect(() => fromWireEvent(report, 'CTCC')).toThrow(
      'report.category: must be REPORT_CATEGORY_FRAUD, REPORT_CATEGORY_HARASSMENT or REPORT_CATEGORY_SPAM',
    );
    expect(() => fromWireEvent({ id: 'e-2', atMs: call.atMs }, 'CTCC')).toThrow(
      'kind: an event needs one of subscriber, call, sms, location, report',
    );
  });
});
