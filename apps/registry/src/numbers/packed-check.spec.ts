import { Writer } from 'protobufjs/minimal';
import type { registryV2 } from '@app/contracts';
import { isMsisdn, normaliseMsisdn, ValidationError } from '@app/domain';
import { loadProtoDefinition, type MethodShape } from '@app/grpc';
import { answerCheck, isE164, readCheckRequest } from './packed-check';

/** The method as the services load it (protobufjs): an independent reader and writer of the same messages. */
const method = loadProtoDefinition(['fraud/registry/v2/registry.proto'])[
  'fraud.registry.v2.RegistryService'
] as unknown as Record<
  string,
  MethodShape & {
    requestSerialize(request: Partial<registryV2.CheckNumbersRequest>): Buffer;
    responseDeserialize(bytes: Buffer): registryV2.CheckNumbersResponse;
  }
>;
const { CheckNumbers } = method;

/** Keys listed in a toy index: status wire numbers 2 (SUSPECTED), 3 (CONFIRMED). */
const LISTED = new Map<number, number>([
  [8619100000001, 2],
  [8619100000002, 3],
  [4930123456, 2],
]);
const lookup = (key: number) => LISTED.get(key) ?? 1;

const check = (request: Partial<registryV2.CheckNumbersRequest>, version = 42, max = 10_000) =>
  CheckNumbers.responseDeserialize(
    answerCheck(readCheckRequest(CheckNumbers.requestSerialize(request)), lookup, version, max),
  );

const thrown = (work: () => unknown): Error => {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
};

describe('packed CheckNumbers (v2 wire format)', () => {
  it('answers strings then packed numbers, each in request order, with the version', () => {
    expect(
      check({
        msisdns: ['+8619100000002', '19100000001', '+4930123456', '19100000009'],
        e164: [8619100000001, 8619100000009, 4930123456],
      }),
    ).toEqual({
      statuses: [
        'NUMBER_STATUS_CONFIRMED',
        'NUMBER_STATUS_SUSPECTED',
        'NUMBER_STATUS_SUSPECTED',
        'NUMBER_STATUS_NOT_LISTED',
        'NUMBER_STATUS_SUSPECTED',
        'NUMBER_STATUS_NOT_LISTED',
        'NUMBER_STATUS_SUSPECTED',
      ],
      version: 42,
    });
    expect(check({ e164: [8619100000002] }, 0)).toEqual({ statuses: ['NUMBER_STATUS_CONFIRMED'], version: 0 });
    expect(check({ e164: [8619100000002] }, 2 ** 40).version).toBe(2 ** 40);
  });

  it('reads fields interleaved on the wire, unpacked numbers, and skips fields it does not know', () => {
    const writer = Writer.create();
    writer.uint32((2 << 3) | 0).uint64(8619100000001); // e164, unpacked
    writer.uint32((1 << 3) | 2).string('19100000002');
    writer.uint32((9 << 3) | 2).string('a field of a newer version');
    writer.uint32((8 << 3) | 1).fixed64(7);
    writer
      .uint32((2 << 3) | 2)
      .fork()
      .uint64(4930123456)
      .uint64(8619100000009)
      .ldelim();
    writer.uint32((7 << 3) | 5).fixed32(1);
    const request = readCheckRequest(Buffer.from(writer.finish()));
    expect([request.strings, request.numbers]).toEqual([1, 3]);
    expect(CheckNumbers.responseDeserialize(answerCheck(request, lookup, 1, 10)).statuses).toEqual([
      'NUMBER_STATUS_CONFIRMED',
      'NUMBER_STATUS_SUSPECTED',
      'NUMBER_STATUS_SUSPECTED',
      'NUMBER_STATUS_NOT_LISTED',
    ]);
  });

  it('refuses the first invalid number naming its field and index, in the words of v1', () => {
    const bad = thrown(() => check({ msisdns: ['19100000001', '１９１００００００01'] }));
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad.message).toBe(thrown(() => normaliseMsisdn('１９１００００００01', 'msisdns[1]')).message);
    expect(thrown(() => check({ msisdns: [''] })).message).toBe('msisdns[0]: a phone number is required');
    expect(thrown(() => check({ msisdns: ['+0123456789'] })).message).toContain('msisdns[0]: "+0123456789"');
    expect(thrown(() => check({ e164: [8619100000001, 12345] })).message).toBe(
      "e164[1]: 12345 is not a phone number: send E.164 digits without '+' (8619112345678)",
    );
    // +86 is for Chinese mobiles only, as normaliseMsisdn has it.
    expect(thrown(() => check({ msisdns: ['+1'], e164: [8612345678901] })).message).toContain('msisdns[0]');
    expect(thrown(() => check({ e164: [8612345678901] })).message).toContain('e164[0]: 8612345678901');
  });

  it('refuses a value over 15 digits without printing an inexact number', () => {
    const writer = Writer.create();
    writer.uint32((2 << 3) | 0).uint64('18446744073709551615');
    const request = readCheckRequest(Buffer.from(writer.finish()));
    expect(thrown(() => answerCheck(request, lookup, 1, 10)).message).toBe(
      "e164[0]: a value over 15 digits is not a phone number: send E.164 digits without '+' (8619112345678)",
    );
  });

  it('accepts exactly the E.164 numbers normaliseMsisdn accepts', () => {
    const samples = [
      1, 999_999, 1_000_000, 4930123456, 8613000000000, 8612999999999, 8619999999999, 8620000000000, 86131234567,
      861312345678901, 999_999_999_999_999, 1_000_000_000_000_000, 8_600_000, 8_699_999, 870_000_000,
    ];
    for (const digits of samples) expect([digits, isE164(digits)]).toEqual([digits, isMsisdn(`+${digits}`)]);
  });

  it('refuses no numbers, and more than the most per call', () => {
    expect(thrown(() => check({})).message).toBe('msisdns and e164: at least one number is required');
    expect(thrown(() => check({ msisdns: ['19100000001'], e164: [8619100000001] }, 1, 1)).message).toBe(
      'msisdns and e164: at most 1 numbers per call, got 2',
    );
  });

  it('finds the first number holding a control character (C0, DEL, C1) for the admission rules', () => {
    const read = (msisdns: string[]) => readCheckRequest(CheckNumbers.requestSerialize({ msisdns })).controlField;
    expect(read(['19100000001', '1910000\u00000002', '1910\u007f'])).toBe('msisdns[1]');
    expect(read(['19100000001', '1910\u0085'])).toBe('msisdns[1]');
    expect(read(['19100000001', '１９１'])).toBeUndefined();
  });

  it('does not decode a message that is cut short or holds invalid UTF-8', () => {
    const whole = CheckNumbers.requestSerialize({ msisdns: ['19100000001'], e164: [8619100000001] });
    const firstField = 1 + 1 + '19100000001'.length; // where a shorter message would end whole
    for (let cut = 1; cut < whole.length; cut++)
      if (cut !== firstField) expect(() => readCheckRequest(whole.subarray(0, cut))).toThrow(RangeError);
    const invalid = Buffer.from([(1 << 3) | 2, 2, 0xc3, 0x28]);
    expect(() => readCheckRequest(invalid)).toThrow('string field is not valid UTF-8');
    expect(() => readCheckRequest(Buffer.from([(1 << 3) | 0, 1]))).toThrow('msisdns has wire type 0');
  });
});
