import { ValidationError, ValidationErrorCode } from '../errors';
import { parseEvent } from './event-parser';
import { MAX_CALL_SECONDS, validateEvent, type EventFormat } from './event-validation';
import { ReportCategory, UsageProfile } from './events';

const AT = '2024-02-06T19:05:00+08:00';
const AT_MS = Date.parse(AT);
const call = {
  type: 'call',
  id: 'c-1',
  at: AT,
  caller: '19112345678',
  callee: '13800000002',
  durationSec: 34,
  cell: '460-11-10001-1',
};

describe(validateEvent.name, () => {
  it('names the field as the form of the event spells it', () => {
    const wire: EventFormat = { field: (key) => `call.${key.toUpperCase()}`, time: 'as ms' };
    const draft = { type: 'call', at: AT_MS, caller: '19112345678', callee: 'nobody', durationSec: 3, answered: true };
    expect(() => validateEvent(draft, wire)).toThrow(
      expect.objectContaining({ code: ValidationErrorCode.Malformed, field: 'call.CALLEE' }),
    );
    expect(() => validateEvent({ ...draft, callee: '13800000002', at: undefined }, wire)).toThrow(
      new ValidationError(ValidationErrorCode.Required, 'call.AT', 'a time is required, as ms'),
    );
  });
});

describe(parseEvent.name, () => {
  it('reads a call: numbers to E.164, the time to ms, answered when it lasted', () => {
    expect(parseEvent(call)).toEqual({
      type: 'call',
      id: 'c-1',
      at: AT_MS,
      caller: '+8619112345678',
      callee: '+8613800000002',
      durationSec: 34,
      answered: true,
      cell: '460-11-10001-1',
    });
    expect(parseEvent({ ...call, durationSec: 0, cell: '' })).toMatchObject({ answered: false, cell: undefined });
  });

  it('refuses a call longer than 24 hours, or of no length at all, naming the field', () => {
    expect(parseEvent({ ...call, durationSec: MAX_CALL_SECONDS }).type).toBe('call');
    const tooLong = new ValidationError(
      ValidationErrorCode.OutOfRange,
      'durationSec',
      'must be a number of seconds from 0 to 86400 (24 hours)',
    );
    expect(() => parseEvent({ ...call, durationSec: MAX_CALL_SECONDS + 1 })).toThrow(tooLong);
    expect(() => parseEvent({ ...call, durationSec: -1 })).toThrow(tooLong);
    expect(() => parseEvent({ ...call, durationSec: '34' })).toThrow(
      expect.objectContaining({ code: ValidationErrorCode.Malformed, field: 'durationSec' }),
    );
  });

  it('takes times after 1970 and before 2100 only: a later one is a unit mistake', () => {
    expect(() => parseEvent({ ...call, at: '2100-01-01T00:00:00Z' })).toThrow(
      expect.objectContaining({ code: ValidationErrorCode.OutOfRange, field: 'at' }),
    );
    expect(() => parseEvent({ ...call, at: '1969-12-31T23:59:59Z' })).toThrow(
      expect.objectContaining({ code: ValidationErrorCode.OutOfRange, field: 'at' }),
    );
    expect(() => parseEvent({ ...call, at: undefined }, 'events[2].')).toThrow(
      expect.objectContaining({ code: ValidationErrorCode.Required, field: 'events[2].at' }),
    );
    expect(() => parseEvent({ ...call, at: '2024-02-06 19:05' })).toThrow(
      'at: must be an RFC 3339 time with an offset',
    );
  });

  it('reads a subscriber record with its defaults: no profile, not verified, dated by its activation', () => {
    const record = { type: 'subscriber', carrier: 'CTCC', msisdn: '19112345678', activatedAt: AT };
    expect(parseEvent(record)).toEqual({
      type: 'subscriber',
      id: undefined,
      at: AT_MS,
      msisdn: '+8619112345678',
      carrier: 'CTCC',
      activatedAt: AT_MS,
      realNameVerified: false,
      profile: UsageProfile.None,
    });
    expect(() => parseEvent({ ...record, profile: 'pilot' })).toThrow(
      'profile: must be one of none, courier, delivery, logistics, enterprise',
    );
    expect(() => parseEvent({ ...record, carrier: 'XYZ' })).toThrow('carrier: must be one of CMCC, CUCC, CTCC, CBN');
    expect(() => parseEvent({ ...record, realNameVerified: 'yes' })).toThrow('realNameVerified: must be true or false');
  });

  it("needs a report's category, and an id of at most 128 characters", () => {
    const report = { type: 'report', at: AT, reporter: '13800000002', reported: '19112345678', category: 'fraud' };
    expect(parseEvent(report)).toMatchObject({ category: ReportCategory.Fraud });
    expect(() => parseEvent({ ...report, category: undefined })).toThrow(
      expect.objectContaining({ code: ValidationErrorCode.Required, field: 'category' }),
    );
    expect(() => parseEvent({ ...report, id: 'x'.repeat(129) })).toThrow(
      new ValidationError(ValidationErrorCode.OutOfRange, 'id', 'at most 128 characters'),
    );
  });

  it('refuses what is not an event', () => {
    expect(() => parseEvent([call])).toThrow('event: must be a JSON object');
    expect(() => parseEvent({ ...call, type: 'fax' })).toThrow('type: "fax" is not an event type');
    expect(() => parseEvent({ ...call, type: undefined })).toThrow(
      expect.objectContaining({ code: ValidationErrorCode.Required, field: 'type' }),
    );
  });
});
