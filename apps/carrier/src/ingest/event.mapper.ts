import { reportCategory, usageProfile, type carrier } from '@app/contracts';
import { controlCharacterField, normaliseMsisdn, parseCellId, UsageProfile, ValidationError, ValidationErrorCode, type CarrierEvent, type CarrierId } from '@app/domain';

/** Ten years ahead: an event time past this is a unit mistake (seconds for ms), not a clock skew. */
const MAX_AT_MS = Date.UTC(2100, 0, 1);

/** A subscriber record without a profile has none. */
function fromWireProfile(profile: carrier.UsageProfile | undefined, field: string): UsageProfile {
  return profile === undefined || profile === usageProfile.unspecified ? UsageProfile.None : usageProfile.fromWire(profile, field);
}

function cell(value: string | undefined | null, field: string) {
  return value ? parseCellId(value, field) : undefined;
}

/**
 * One event from the wire, validated; errors name the field (`call.caller`).
 * Subscriber records are this carrier's own subscribers by definition.
 */
export function fromWireEvent(event: carrier.Event, carrierId: CarrierId): CarrierEvent {
  // Streamed messages never meet the guard's text check: each event is checked here, and refused alone.
  const unclean = controlCharacterField(event);
  if (unclean !== undefined) throw new ValidationError(ValidationErrorCode.Malformed, unclean, 'must not contain control characters (such as NUL)');
  const at = Number(event.atMs ?? 0);
  const id = event.id || undefined;
  if (id !== undefined && id.length > 128) throw new ValidationError(ValidationErrorCode.OutOfRange, 'id', 'at most 128 characters');
  const needAt = () => {
    if (!Number.isSafeInteger(at) || at <= 0 || at > MAX_AT_MS) throw new ValidationError(ValidationErrorCode.OutOfRange, 'at_ms', 'must be the event time in milliseconds since the Unix epoch');
    return at;
  };
  if (event.subscriber) {
    const s = event.subscriber;
    const activatedAt = Number(s.activatedAtMs ?? 0);
    if (!Number.isSafeInteger(activatedAt) || activatedAt <= 0 || activatedAt > MAX_AT_MS) {
      throw new ValidationError(ValidationErrorCode.OutOfRange, 'subscriber.activated_at_ms', 'must be the activation time in milliseconds since the Unix epoch');
    }
    return {
      type: 'subscriber',
      id,
      at: at > 0 ? needAt() : activatedAt,
      msisdn: normaliseMsisdn(s.msisdn, 'subscriber.msisdn'),
      carrier: carrierId,
      activatedAt,
      realNameVerified: !!s.realNameVerified,
      profile: fromWireProfile(s.profile, 'subscriber.profile'),
    };
  }
  if (event.call) {
    const c = event.call;
    return {
      type: 'call',
      id,
      at: needAt(),
      caller: normaliseMsisdn(c.caller, 'call.caller'),
      callee: normaliseMsisdn(c.callee, 'call.callee'),
      durationSec: Number(c.durationSec ?? 0),
      answered: !!c.answered,
      cell: cell(c.cell, 'call.cell'),
    };
  }
  if (event.sms) {
    const m = event.sms;
    return { type: 'sms', id, at: needAt(), sender: normaliseMsisdn(m.sender, 'sms.sender'), recipient: normaliseMsisdn(m.recipient, 'sms.recipient'), cell: cell(m.cell, 'sms.cell') };
  }
  if (event.location) {
    const l = event.location;
    return { type: 'location', id, at: needAt(), msisdn: normaliseMsisdn(l.msisdn, 'location.msisdn'), cell: parseCellId(l.cell, 'location.cell') };
  }
  if (event.report) {
    const r = event.report;
    const category = reportCategory.fromWire(r.category, 'report.category');
    return { type: 'report', id, at: needAt(), reporter: normaliseMsisdn(r.reporter, 'report.reporter'), reported: normaliseMsisdn(r.reported, 'report.reported'), category };
  }
  throw new ValidationError(ValidationErrorCode.Required, 'kind', 'an event needs one of subscriber, call, sms, location, report');
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
      return { ...base, subscriber: { msisdn: event.msisdn, activatedAtMs: event.activatedAt, realNameVerified: event.realNameVerified, profile: usageProfile.toWire(event.profile) } };
    case 'call':
      return { ...base, call: { caller: event.caller, callee: event.callee, durationSec: event.durationSec, answered: event.answered, cell: event.cell ?? '' } };
    case 'sms':
      return { ...base, sms: { sender: event.sender, recipient: event.recipient, cell: event.cell ?? '' } };
    case 'location':
      return { ...base, location: { msisdn: event.msisdn, cell: event.cell } };
    case 'report':
      return { ...base, report: { reporter: event.reporter, reported: event.reported, category: reportCategory.toWire(event.category) } };
    default:
      return undefined;
  }
}
