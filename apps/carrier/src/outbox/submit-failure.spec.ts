import { Metadata, status } from '@grpc/grpc-js';
import { classifySubmitFailure } from './submit-failure';

/** A failed call as grpc-js rejects it. */
const serviceError = (code: status, details: string) =>
  Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });

describe(classifySubmitFailure.name, () => {
  it.each([
    [status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:50051'],
    [status.DEADLINE_EXCEEDED, 'Deadline exceeded after 10.002s'],
    [status.RESOURCE_EXHAUSTED, 'too many requests'],
    [status.INTERNAL, 'internal error'],
    [status.CANCELLED, 'Call cancelled'],
  ])('keeps every message for a retry when the registry is unreachable or struggling (%s)', (code, details) => {
    expect(classifySubmitFailure(serviceError(code, details), 10, 'flags')).toEqual({
      kind: 'unreachable',
      reason: `${status[code]}: ${details}`,
    });
  });

  it('treats an error that is not a gRPC status (a socket error) as unreachable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:50051'), { code: 'ECONNREFUSED' });
    expect(classifySubmitFailure(refused, 10, 'flags')).toEqual({
      kind: 'unreachable',
      reason: 'connect ECONNREFUSED 127.0.0.1:50051',
    });
  });

  it('sets aside the one item an INVALID_ARGUMENT or ALREADY_EXISTS names', () => {
    const invalid = 'flags[3].msisdn: "+86999" is not a phone number';
    expect(classifySubmitFailure(serviceError(status.INVALID_ARGUMENT, invalid), 10, 'flags')).toEqual({
      kind: 'item-refused',
      index: 3,
      reason: `INVALID_ARGUMENT: ${invalid}`,
    });
    const reused = 'flags[0].idempotency_key: was already used for a flag with different content';
    expect(classifySubmitFailure(serviceError(status.ALREADY_EXISTS, reused), 1, 'flags')).toEqual({
      kind: 'item-refused',
      index: 0,
      reason: `ALREADY_EXISTS: ${reused}`,
    });
  });

  it('names the item by the request’s own field (SubmitCarrierFeed’s items)', () => {
    const invalid = 'items[2].decision.msisdn: "+86999" is not a phone number';
    expect(classifySubmitFailure(serviceError(status.INVALID_ARGUMENT, invalid), 5, 'items')).toEqual({
      kind: 'item-refused',
      index: 2,
      reason: `INVALID_ARGUMENT: ${invalid}`,
    });
    expect(classifySubmitFailure(serviceError(status.INVALID_ARGUMENT, invalid), 5, 'flags')).toMatchObject({
      kind: 'batch-refused',
    });
  });

  it('refuses the batch as a whole when no item of it is named, or the refusal is about the caller', () => {
    expect(
      classifySubmitFailure(
        serviceError(status.INVALID_ARGUMENT, 'flags: at most 1000 flags per call, got 1001'),
        1001,
        'flags',
      ),
    ).toMatchObject({ kind: 'batch-refused' });
    expect(
      classifySubmitFailure(serviceError(status.INVALID_ARGUMENT, 'flags[12].msisdn: not a phone number'), 5, 'flags'),
    ).toMatchObject({ kind: 'batch-refused' });
    expect(classifySubmitFailure(serviceError(status.UNAUTHENTICATED, 'expired'), 5, 'flags')).toEqual({
      kind: 'batch-refused',
      reason: 'UNAUTHENTICATED: expired',
    });
    expect(
      classifySubmitFailure(
        serviceError(
          status.PERMISSION_DENIED,
          'flags[0].source: a carrier:CMCC token cannot submit flags as "carrier:CTCC"',
        ),
        5,
        'flags',
      ),
    ).toMatchObject({
      kind: 'batch-refused',
    });
  });
});
