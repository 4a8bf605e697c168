import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  CARRIER_IDS,
  CLOCK,
  contentHash,
  isCarrierId,
  normaliseMsisdn,
  validateIdempotencyKey,
  ValidationError,
  ValidationErrorCode,
  type CarrierId,
  type Clock,
  type Msisdn,
} from '@app/domain';
import type { Principal } from '@app/grpc';
import { idempotentWrite } from '@app/persistence';
import { OwnershipError } from './ownership.errors';
import { OwnershipRepository } from './ownership.repository';
import { isChineseMobile, segmentOwner } from './segments';

export interface Owner {
  carrier: CarrierId;
  /** A number-portability entry decided it, not the segment. */
  ported: boolean;
}

export interface PortedNumberInput {
  idempotencyKey: string;
  msisdn: string;
  carrier: string;
}

export interface OwnerAnswer extends Owner {
  msisdn: Msisdn;
}

@Injectable()
export class OwnershipService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ports: OwnershipRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The carrier owning a number (E.164): a ported_number entry wins over the segment
   * table; undefined when none does. Inside a transaction, pass its manager.
   */
  async ownerOf(msisdn: Msisdn, em?: EntityManager): Promise<Owner | undefined> {
    const ported = await this.ports.portedOwner(msisdn, em);
    if (ported !== undefined) return { carrier: ported as CarrierId, ported: true };
    const carrier = segmentOwner(msisdn);
    return carrier === undefined ? undefined : { carrier, ported: false };
  }

  /** GetOwner: the owner of a number given in any accepted form, NOT_FOUND when no carrier owns it. */
  async getOwner(input: string): Promise<OwnerAnswer> {
    const msisdn = normaliseMsisdn(input, 'msisdn');
    const owner = await this.ownerOf(msisdn);
    if (!owner)
      throw new OwnershipError(
        'NO_OWNER',
        `no carrier owns ${msisdn}: not a mobile segment of ${CARRIER_IDS.join(', ')} and not ported`,
        'msisdn',
      );
    return { msisdn, ...owner };
  }

  /**
   * Records a ported number's new owner; the same key and content again is a replay
   * answered as the first call was (a late retry never ports a number back), with
   * other content ALREADY_EXISTS.
   */
  async setPorted(caller: Principal, input: PortedNumberInput): Promise<{ owner: OwnerAnswer; replayed: boolean }> {
    const idempotencyKey = validateIdempotencyKey(input.idempotencyKey, 'idempotency_key');
    const msisdn = normaliseMsisdn(input.msisdn, 'msisdn');
    if (!isChineseMobile(msisdn))
      throw new OwnershipError('NOT_PORTABLE', `${msisdn} is not a Chinese mobile number`, 'msisdn');
    const carrier = validateCarrier(input.carrier, 'carrier');
    // The change row is the answer: the port it recorded made that carrier the owner.
    const answerOf = (port: { msisdn: string; carrier: string }): OwnerAnswer => ({
      msisdn: port.msisdn as Msisdn,
      carrier: port.carrier as CarrierId,
      ported: true,
    });
    const { result, replayed } = await idempotentWrite({
      dataSource: this.dataSource,
      scope: 'admin.ported-number',
      key: idempotencyKey,
      contentHash: contentHash({ msisdn, carrier }),
      find: async (em) => {
        const earlier = await this.ports.changeByKey(em, idempotencyKey);
        return (
          earlier && {
            contentHash: contentHash({ msisdn: earlier.msisdn, carrier: earlier.carrier }),
            result: answerOf(earlier),
          }
        );
      },
      reused: ({ result: earlier }) =>
        new OwnershipError(
          'KEY_REUSED',
          `was already used to port ${earlier.msisdn} to ${earlier.carrier}`,
          'idempotency_key',
        ),
      apply: async (em) => {
        await this.ports.record(em, {
          idempotencyKey,
          msisdn,
          carrier,
          setBy: caller.subject,
          setAt: this.clock.now(),
        });
        return answerOf({ msisdn, carrier });
      },
    });
    return { owner: result, replayed };
  }
}

export function validateCarrier(input: string | undefined, field: string): CarrierId {
  if (!input) throw new ValidationError(ValidationErrorCode.Required, field, 'a carrier is required');
  if (!isCarrierId(input)) {
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      field,
      `"${input.slice(0, 16)}" is not a carrier: use one of ${CARRIER_IDS.join(', ')}`,
    );
  }
  return input;
}
