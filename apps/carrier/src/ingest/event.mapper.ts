import { reportCategory, usageProfile, type carrier } from '@app/contracts';
import {
  controlCharacterField,
  snakeCase,
  UsageProfile,
  validateEvent,
  ValidationError,
  ValidationErrorCode,
  type CarrierEvent,
  type CarrierId,
  type EventFormat,
} from '@app/domain';

type WireKind = 'subscriber' | 'call' | 'sms' | 'location' | 'report';

/** IngestEvents' form of each kind: fields by their proto names (`call.duration_sec`), times in ms. */
const WIRE_FORMATS: Readonly<Record<WireKind, EventFormat>> = {
  subscriber: wireFormat('subscriber'),
  call: wireFormat('call'),
  sms: wireFormat('sms'),
  location: wireFormat('location'),
  report: wireFormat('report'),
};

function wireFormat(kind: WireKind): EventFormat {
  // Named once per key: validation names the field of every number and cell it reads.
  const names = new Map<string, string>([
    ['id', 'id'],
    ['at', 'at_ms'],
    ['activatedAt', `${kind}.activated_at_ms`],
  ]);
  const field = (key: string): string => {
    let name = names.get(key);
    if (name === undefined) names.set(key, (name = `${kind}.${snakeCase(key)}`));
    return name;
  };
  return { field, time: 'as milliseconds since the Unix epoch' };
}

/** A time in ms as sent; 0 is proto3's unset. */
function wireTime(ms: number | string | undefined): number | undefined {
  const value = Number(ms ?? 0);
  return value === 0 ? undefined : value;
}

/** A subscriber record without a profile has none. */
function fromWireProfile(profile: carrier.UsageProfile | undefined, field: string): UsageProfile {
  return profile === undefined || profile === usageProfile.unspecified
    ? UsageProfile.None
    : usageProfile.fromWire(profile, field);
}

/**
 * One event from the wire, validated by the rules every event meets
 * (validateEvent); errors name the field (`call.caller`). Subscriber records are
 * this carrier's own subscribers by definition.
 */
export function fromWireEvent(event: carrier.Event, carrierId: CarrierId): CarrierEvent {
  // Streamed messages never meet the guard's text check: each event is checked here, and refused alone.
  const unclean = controlCharacterField(event);
  if (unclean !== undefined)
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      unclean,
      'must not contain control characters (such as NUL)',
    );
  // Drafts are written out, not spread from a common part: a spread object is several times slower to read
  // (the ingest's hot path).
  const id = event.id || undefined;
  const at = wireTime(event.atMs);
  if (event.subscriber) {
    const s = event.subscriber;
    const profile = fromWireProfile(s.profile, 'subscriber.profile');
    const draft = {
      type: 'subscriber',
      id,
      at,
      msisdn: s.msisdn,
      carrier: carrierId,
      activatedAt: wireTime(s.activatedAtMs),
      realNameVerified: !!s.realNameVerified,
      profile,
    };
    return validateEvent(draft, WIRE_FORMATS.subscriber);
  }
  if (event.call) {
    const c = event.call;
    const draft = {
      type: 'call',
      id,
      at,
      caller: c.caller,
      callee: c.callee,
      durationSec: Number(c.durationSec ?? 0),
      answered: !!c.answered,
      cell: c.cell,
    };
    return validateEvent(draft, WIRE_FORMATS.call);
  }
  if (event.sms)
    return validateEvent(
      { type: 'sms', id, at, sender: event.sms.sender, recipient: event.sms.recipient, cell: event.sms.cell },
      WIRE_FORMATS.sms,
    );
  if (event.location)
    return validateEvent(
      { type: 'location', id, at, msisdn: event.location.msisdn, cell: event.location.cell },
      WIRE_FORMATS.location,
    );
  if (event.report) {
    const r = event.report;
    const category = reportCategory.fromWire(r.category, 'report.category');
    return validateEvent(
      { type: 'report', id, at, reporter: r.reporter, reported: r.reported, category },
      WIRE_FORMATS.report,
    );
  }
  throw new ValidationError(
    ValidationErrorCode.Required,
    'kind',
    'an event needs one of subscriber, call, sms, location, report',
  );
}

/**
 * An event as IngestEvents carries it, or undefined for the kinds that reach a
 * carrier another way (high-risk cells and directives from the administration,
 * re-activations and clearances through their own RPCs and the registry).
 */
export function toWireEvent(event: CarrierEvent, id = ''): carrier.Event | undefined {
  const base = { id: event.id ?? id, atMs: event.at };
  switch (event.type) {
    case 'subscriber':
      return {
        ...base,
        subscriber: {
          msisdn: event.msisdn,
          activatedAtMs: event.activatedAt,
          realNameVerified: event.realNameVerified,
          profile: usageProfile.toWire(event.profile),
        },
      };
    case 'call':
      return {
        ...base,
        call: {
          caller: event.caller,
          callee: event.callee,
          durationSec: event.durationSec,
          answered: event.answered,
          cell: event.cell ?? '',
        },
      };
    case 'sms':
      return { ...base, sms: { sender: event.sender, recipient: event.recipient, cell: event.cell ?? '' } };
    case 'location':
      return { ...base, location: { msisdn: event.msisdn, cell: event.cell } };
    case 'report':
      return {
        ...base,
        report: { reporter: event.reporter, reported: event.reported, category: reportCategory.toWire(event.category) },
      };
    default:
      return undefined;
  }
}
