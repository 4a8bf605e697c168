import { isUtf8 } from 'node:buffer';
import { hasControlCharacter, normaliseMsisdn, ValidationError, ValidationErrorCode } from '@app/domain';

/**
 * fraud.registry.v2 CheckNumbers on the wire, read and written here directly:
 * no message object, string or array per number. The request is read twice:
 * once as it arrives (its shape, counts, and the first text field holding a
 * control character, for the admission rules), then once more by `answer`,
 * which turns each number into its index key and writes its status straight
 * into the packed answer. Pure; unit-tested against protobufjs.
 */

/** A CheckNumbers v2 request whose wire shape has been checked. */
export interface PackedCheckRequest {
  /** The request message, as received. */
  readonly bytes: Buffer;
  /** How many `msisdns` (field 1) and `e164` (field 2) entries it holds. */
  readonly strings: number;
  readonly numbers: number;
  /** The first `msisdns` entry holding a control character, e.g. `msisdns[4]`. */
  readonly controlField: string | undefined;
}

/** Looks a number up by its key (E.164 digits as a number): its status as the wire enum's number. */
export type StatusLookup = (key: number) => number;

const MSISDNS = 1;
const E164 = 2;
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const PLUS = 0x2b;
const ZERO = 0x30;
/** 86 × 10^11: a national number's key is this plus its 11 digits. */
const CHINA_PREFIX = 86 * 10 ** 11;
const SMALLEST_E164 = 1_000_000; // 7 digits
const LARGEST_E164 = 999_999_999_999_999; // 15 digits
/** `+86` numbers are Chinese mobiles only: 861[3-9] and nine more digits. */
const CHINA_MOBILE_FIRST = 8_613_000_000_000;
const CHINA_MOBILE_LAST = 8_619_999_999_999;

/** Reads the request's wire shape; throws (a malformed message) when it does not decode. */
export function readCheckRequest(bytes: Buffer): PackedCheckRequest {
  const reader = new WireReader(bytes);
  let strings = 0;
  let numbers = 0;
  let controlField: string | undefined;
  while (reader.more()) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === MSISDNS) {
      if (wireType !== LENGTH_DELIMITED) throw new RangeError(`msisdns has wire type ${wireType}`);
      const length = reader.uint32();
      const start = reader.skip(length);
      if (controlField === undefined && holdsControlCharacter(bytes, start, start + length))
        controlField = `msisdns[${strings}]`;
      strings++;
    } else if (field === E164 && wireType === LENGTH_DELIMITED) {
      const length = reader.uint32();
      const end = reader.pos + length;
      reader.within(end);
      while (reader.pos < end) {
        reader.skipVarint();
        numbers++;
      }
      if (reader.pos !== end) throw new RangeError('packed e164 runs past its length');
    } else if (field === E164 && wireType === VARINT) {
      reader.skipVarint();
      numbers++;
    } else {
      if (field === E164) throw new RangeError(`e164 has wire type ${wireType}`);
      reader.skipField(wireType);
    }
  }
  return { bytes, strings, numbers, controlField };
}

/**
 * The CheckNumbersResponse bytes: one status per number, `msisdns` first then
 * `e164`, each in request order, and `version`. Throws a ValidationError naming
 * the first invalid number (`msisdns[2]`, `e164[0]`) or a count out of range.
 */
export function answerCheck(
  request: PackedCheckRequest,
  lookup: StatusLookup,
  version: number,
  maxNumbers: number,
): Buffer {
  const count = request.strings + request.numbers;
  const field = 'msisdns and e164';
  if (count === 0) throw new ValidationError(ValidationErrorCode.Required, field, 'at least one number is required');
  if (count > maxNumbers)
    throw new ValidationError(
      ValidationErrorCode.OutOfRange,
      field,
      `at most ${maxNumbers} numbers per call, got ${count}`,
    );
  // Field 1, packed: tag, length (one byte per status: the enum's values are below 128), the statuses.
  const answer = Buffer.allocUnsafe(1 + 5 + count + 1 + 10);
  answer[0] = (1 << 3) | LENGTH_DELIMITED;
  let at = writeVarint(answer, 1, count);
  let nextString = at;
  let nextNumber = at + request.strings;
  const { bytes } = request;
  const reader = new WireReader(bytes);
  while (reader.more()) {
    const tag = reader.uint32();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case MSISDNS: {
        const length = reader.uint32();
        const start = reader.skip(length);
        answer[nextString] = lookup(stringKey(bytes, start, start + length, nextString - at));
        nextString++;
        break;
      }
      case E164:
        if (wireType === VARINT) {
          answer[nextNumber] = lookup(numberKey(reader.uint64(), nextNumber - at - request.strings));
          nextNumber++;
        } else {
          const length = reader.uint32();
          const end = reader.pos + length;
          while (reader.pos < end) {
            answer[nextNumber] = lookup(numberKey(reader.uint64(), nextNumber - at - request.strings));
            nextNumber++;
          }
        }
        break;
      default:
        reader.skipField(wireType);
    }
  }
  at += count;
  if (version !== 0) {
    answer[at] = (2 << 3) | VARINT;
    at = writeVarint(answer, at + 1, version);
  }
  return answer.subarray(0, at);
}

/** The index key of `msisdns[index]`: its E.164 digits as a number. */
function stringKey(bytes: Buffer, start: number, end: number, index: number): number {
  const length = end - start;
  // E.164: '+', no leading zero, 7 to 15 digits.
  if (length >= 8 && length <= 16 && bytes[start] === PLUS && bytes[start + 1] !== ZERO) {
    const key = digitsOf(bytes, start + 1, end);
    if (key >= 0 && isE164(key)) return key;
  } else if (length === 11 && bytes[start] === ZERO + 1 && bytes[start + 1] >= ZERO + 3) {
    // National Chinese mobile: 1[3-9] and nine more digits.
    const national = digitsOf(bytes, start, end);
    if (national >= 0) return CHINA_PREFIX + national;
  }
  // Not one of the forms: normaliseMsisdn says why, in the words v1 uses.
  const msisdn = normaliseMsisdn(bytes.toString('utf8', start, end), `msisdns[${index}]`);
  return Number(msisdn.slice(1));
}

/** The index key of `e164[index]`, after checking it is E.164 (a `+86` number: a Chinese mobile). */
function numberKey(value: number, index: number): number {
  if (isE164(value)) return value;
  throw new ValidationError(
    ValidationErrorCode.Malformed,
    `e164[${index}]`,
    `${value >= 2 ** 53 ? 'a value over 15 digits' : String(value)} is not a phone number: ` +
      "send E.164 digits without '+' (8619112345678)",
  );
}

/** The digits between start and end as a number, or -1 when there is anything else. */
function digitsOf(bytes: Buffer, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i] - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** As normaliseMsisdn accepts `+` and these digits: 7 to 15 of them, and `+86` only for a Chinese mobile. */
export function isE164(digits: number): boolean {
  if (!(digits >= SMALLEST_E164 && digits <= LARGEST_E164)) return false;
  let lead = digits;
  while (lead >= 100) lead = Math.floor(lead / 10);
  return lead !== 86 || (digits >= CHINA_MOBILE_FIRST && digits <= CHINA_MOBILE_LAST);
}

/** Control characters as the admission rules see them (C0, DEL, C1); invalid UTF-8 does not decode at all. */
function holdsControlCharacter(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = bytes[i];
    if (byte < 0x20 || byte === 0x7f) return true;
    if (byte >= 0x80) {
      const text = bytes.subarray(start, end);
      if (!isUtf8(text)) throw new RangeError('string field is not valid UTF-8');
      return hasControlCharacter(text.toString('utf8'));
    }
  }
  return false;
}

function writeVarint(buffer: Buffer, at: number, value: number): number {
  let rest = value;
  while (rest >= 0x80) {
    buffer[at++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  buffer[at++] = rest;
  return at;
}

/** Protocol buffers' wire format, bounds-checked: anything that runs past the message throws a RangeError. */
class WireReader {
  pos = 0;
  private end: number;

  constructor(private readonly bytes: Buffer) {
    this.end = bytes.length;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  /** Checks that a length-delimited field's end lies within the message. */
  within(end: number): void {
    if (end > this.end) throw new RangeError(`a field runs past the end of the message (${this.end} bytes)`);
  }

  uint32(): number {
    const value = this.uint64();
    if (value > 0xffffffff) throw new RangeError('a tag or length is over 32 bits');
    return value;
  }

  /** A varint as a number: exact below 2^53, which every E.164 number is; larger ones come out approximate. */
  uint64(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new RangeError('a varint runs past the end of the message');
      const byte = this.bytes[this.pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw new RangeError('a varint is longer than 10 bytes');
  }

  skipVarint(): void {
    this.uint64();
  }

  /** Skips `length` bytes; returns where they start. */
  skip(length: number): number {
    const start = this.pos;
    this.within(start + length);
    this.pos = start + length;
    return start;
  }

  skipField(wireType: number): void {
    if (wireType === VARINT) this.skipVarint();
    else if (wireType === FIXED64) this.skip(8);
    else if (wireType === LENGTH_DELIMITED) this.skip(this.uint32());
    else if (wireType === FIXED32) this.skip(4);
    else throw new RangeError(`invalid wire type ${wireType}`);
  }
}
