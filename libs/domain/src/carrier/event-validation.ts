import { CARRIER_IDS, isCarrierId, type CarrierId } from '../carriers';
import { parseCellId, type CellId } from '../cell';
import { ValidationError, ValidationErrorCode } from '../errors';
import { normaliseMsisdn, type Msisdn } from '../msisdn';
import { ReportCategory, UsageProfile, type CarrierEvent, type EventType } from './events';

/**
 * The longest call an event may record: 24 hours. A longer one is a unit mistake
 * (ms for seconds) or a broken record.
 */
export const MAX_CALL_SECONDS = 24 * 3600;
export const MAX_EVENT_ID_LENGTH = 128;
/**
 * Event times are after 1970 and before 2100: a later one is a unit mistake
 * (ms for seconds, µs for ms), not a date.
 */
export const MAX_EVENT_MS = Date.UTC(2100, 0, 1);

const EVENT_TYPES: readonly EventType[] = [
  'subscriber',
  'high_risk_cell',
  'call',
  'sms',
  'location',
  'report',
  'reactivation',
  'police_clear',
];
const PROFILES: readonly string[] = Object.values(UsageProfile);
const CATEGORIES: readonly string[] = Object.values(ReportCategory);

/** How one form of events (the event file, IngestEvents) names a field and writes a time, for its errors. */
export interface EventFormat {
  /**
   * The field holding `key` (a property of CarrierEvent) as the form spells it:
   * `durationSec` in a file, `call.duration_sec` on the wire.
   */
  field(key: string): string;
  /** How the form writes a time, e.g. `as milliseconds since the Unix epoch`. */
  time: string;
  /** A time as the form writes it (present, not empty) in ms; without it, times are ms already. */
  readTime?(value: unknown, field: string): number;
}

/**
 * An event as its form holds it: CarrierEvent's properties, enums as domain
 * values, times as `format.readTime` reads them, none of them checked yet.
 * Absent fields are undefined.
 */
export type EventDraft = { readonly [key: string]: unknown };

/**
 * The one validation of an event's fields, whichever form it came in: numbers to
 * E.164, cells, times (after 1970, before 2100), a call's duration (0 to 24 h),
 * profiles, categories, carriers, ids. Errors name the field as `format` spells it.
 */
export function validateEvent(draft: EventDraft, format: EventFormat): CarrierEvent {
  const v = new Fields(draft, format);
  const id = v.id();
  const type = v.type();
  switch (type) {
    case 'subscriber': {
      const carrier = v.carrier('carrier');
      const profile = v.choice('profile', PROFILES, UsageProfile.None) as UsageProfile;
      const activatedAt = v.time('activatedAt');
      return {
        type,
        id,
        at: v.optionalTime('at') ?? activatedAt,
        msisdn: v.msisdn('msisdn'),
        carrier,
        activatedAt,
        realNameVerified: v.bool('realNameVerified', false),
        profile,
      };
    }
    case 'high_risk_cell':
      return {
        type,
        id,
        at: v.time('at'),
        cell: v.cell('cell'),
        until: v.optionalTime('until'),
        removed: v.optionalBool('removed'),
      };
    case 'call': {
      const durationSec = v.duration('durationSec');
      return {
        type,
        id,
        at: v.time('at'),
        caller: v.msisdn('caller'),
        callee: v.msisdn('callee'),
        durationSec,
        answered: v.bool('answered', durationSec > 0),
        cell: v.optionalCell('cell'),
      };
    }
    case 'sms':
      return {
        type,
        id,
        at: v.time('at'),
        sender: v.msisdn('sender'),
        recipient: v.msisdn('recipient'),
        cell: v.optionalCell('cell'),
      };
    case 'location':
      return { type, id, at: v.time('at'), msisdn: v.msisdn('msisdn'), cell: v.cell('cell') };
    case 'report': {
      const category = v.choice('category', CATEGORIES) as ReportCategory;
      return { type, id, at: v.time('at'), reporter: v.msisdn('reporter'), reported: v.msisdn('reported'), category };
    }
    case 'reactivation':
      return { type, id, at: v.time('at'), msisdn: v.msisdn('msisdn'), idVerified: v.bool('idVerified') };
    case 'police_clear':
      return { type, id, at: v.time('at'), msisdn: v.msisdn('msisdn') };
  }
}

/** Reads the draft's fields one rule each; every error names the field as the format does. */
class Fields {
  constructor(
    private readonly draft: EventDraft,
    private readonly format: EventFormat,
  ) {}

  id(): string | undefined {
    const id = this.draft.id;
    if (id === undefined || id === null || id === '') return undefined;
    if (typeof id !== 'string') this.fail('id', 'must be a string');
    if (id.length > MAX_EVENT_ID_LENGTH)
      this.fail('id', `at most ${MAX_EVENT_ID_LENGTH} characters`, ValidationErrorCode.OutOfRange);
    return id;
  }

  type(): EventType {
    const type = this.draft.type;
    if (type === undefined || type === null || type === '')
      this.fail('type', `an event needs a type: ${EVENT_TYPES.join(', ')}`, ValidationErrorCode.Required);
    if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
      this.fail('type', `"${String(type).slice(0, 40)}" is not an event type (${EVENT_TYPES.join(', ')})`);
    }
    return type as EventType;
  }

  msisdn(key: string): Msisdn {
    return normaliseMsisdn(this.text(key), this.format.field(key));
  }

  cell(key: string): CellId {
    return parseCellId(this.text(key), this.format.field(key));
  }

  optionalCell(key: string): CellId | undefined {
    const value = this.text(key);
    return value === undefined || value === '' ? undefined : parseCellId(value, this.format.field(key));
  }

  carrier(key: string): CarrierId {
    const value = this.text(key);
    if (!value) this.fail(key, 'is required', ValidationErrorCode.Required);
    if (!isCarrierId(value)) this.fail(key, `must be one of ${CARRIER_IDS.join(', ')}`);
    return value;
  }

  /** One of `values`; absent, `fallback` when there is one. */
  choice(key: string, values: readonly string[], fallback?: string): string {
    const value = this.text(key);
    if (value === undefined || value === '') {
      if (fallback !== undefined) return fallback;
      this.fail(key, `is required: one of ${values.join(', ')}`, ValidationErrorCode.Required);
    }
    if (!values.includes(value)) this.fail(key, `must be one of ${values.join(', ')}`);
    return value;
  }

  /** Event time in ms: after 1970 and before 2100. */
  time(key: string): number {
    const at = this.optionalTime(key);
    if (at === undefined) this.fail(key, `a time is required, ${this.format.time}`, ValidationErrorCode.Required);
    return at;
  }

  optionalTime(key: string): number | undefined {
    const value = this.draft[key];
    if (value === undefined || value === null || value === '') return undefined;
    const at = this.format.readTime ? this.format.readTime(value, this.format.field(key)) : value;
    if (typeof at !== 'number' || !Number.isSafeInteger(at) || at <= 0 || at >= MAX_EVENT_MS) {
      this.fail(key, `must be a time after 1970 and before 2100, ${this.format.time}`, ValidationErrorCode.OutOfRange);
    }
    return at;
  }

  /** A call's length in seconds: 0 (absent) to 24 hours. */
  duration(key: string): number {
    const seconds = this.draft[key] ?? 0;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_CALL_SECONDS) {
      this.fail(
        key,
        `must be a number of seconds from 0 to ${MAX_CALL_SECONDS} (24 hours)`,
        typeof seconds === 'number' ? ValidationErrorCode.OutOfRange : ValidationErrorCode.Malformed,
      );
    }
    return seconds;
  }

  bool(key: string, fallback?: boolean): boolean {
    const value = this.optionalBool(key);
    if (value !== undefined) return value;
    if (fallback === undefined) this.fail(key, 'must be true or false', ValidationErrorCode.Required);
    return fallback;
  }

  optionalBool(key: string): boolean | undefined {
    const value = this.draft[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') this.fail(key, 'must be true or false');
    return value;
  }

  private text(key: string): string | undefined {
    const value = this.draft[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(key, 'must be a string');
    return value;
  }

  private fail(key: string, reason: string, code = ValidationErrorCode.Malformed): never {
    throw new ValidationError(code, this.format.field(key), reason);
  }
}
