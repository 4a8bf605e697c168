import { Injectable } from '@nestjs/common';
import { numberStatus } from '@app/contracts';
import { enumNumbers, Roles, type PlainUnaryRpc } from '@app/grpc';
import { ChangeFeed } from './change-feed.service';
import { CHECK_NUMBERS_ROLES, MAX_NUMBERS_PER_CHECK } from './numbers.service';
import { answerCheck, readCheckRequest, type PackedCheckRequest } from './packed-check';
import { StatusIndex } from './status-index';

export const REGISTRY_V2_PROTO = 'fraud/registry/v2/registry.proto';

/**
 * fraud.registry.v2.RegistryService/CheckNumbers: the call-setup check at the
 * server's speed, on a plain grpc-js handler beside Nest (REGISTRY_GRPC.plainRpcs).
 * It reads the request's numbers off the wire straight into the in-memory
 * status index and writes the packed answer directly (packed-check.ts); the
 * roles, admission and audit of refusals are v1's.
 */
@Injectable()
@Roles(...CHECK_NUMBERS_ROLES)
export class CheckNumbersV2Rpc implements PlainUnaryRpc<PackedCheckRequest, Buffer> {
  readonly rpc = 'fraud.registry.v2.RegistryService/CheckNumbers';
  /** The wire enum's number of each status code of the index (StatusIndex.codes). */
  private readonly wireOfCode: Uint8Array;

  constructor(private readonly feed: ChangeFeed) {
    const numbers = enumNumbers([REGISTRY_V2_PROTO], 'fraud.common.v1.NumberStatus');
    this.wireOfCode = Uint8Array.from(StatusIndex.codes, (status) => {
      const wire = numbers.get(numberStatus.toWire(status));
      if (wire === undefined || wire > 127) throw new Error(`no one-byte wire value for registry status ${status}`);
      return wire;
    });
  }

  decode(bytes: Buffer): PackedCheckRequest {
    return readCheckRequest(bytes);
  }

  encode(answer: Buffer): Buffer {
    return answer;
  }

  controlCharacterField(request: PackedCheckRequest): string | undefined {
    return request.controlField;
  }

  handle(request: PackedCheckRequest): Buffer {
    const { index } = this.feed;
    const wire = this.wireOfCode;
    // The version first: the index only moves between calls, never during one (the feed applies changes synchronously).
    const version = this.feed.version;
    return answerCheck(request, (key) => wire[index.codeOf(key)], version, MAX_NUMBERS_PER_CHECK);
  }
}
