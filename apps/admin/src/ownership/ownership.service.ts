import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CLOCK, normaliseMsisdn, validateIdempotencyKey, ValidationError, ValidationErrorCode, type Clock, type Msisdn } from '@app/domain';
import { CARRIER_IDS, type CarrierId, type Principal } from '@app/grpc';
import { retryOnUniqueViolation } from '@app/persistence';
import { ADMIN_CONFIG, type AdminConfig } from '../config/admin.config';
import { assertOwnProvince } from '../province-scope';
import { OwnershipError, OwnershipErrorCode } from './ownership.errors';
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
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
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
    if (!owner) throw new OwnershipError(OwnershipErrorCode.NoOwner, `no carrier owns ${msisdn}: not a mobile segment of ${CARRIER_IDS.join(', ')} and not ported`, 'msisdn');
    return { msisdn, ...owner };
  }

  /** Records a ported number's new owner; the same key again is a replay, with other content ALREADY_EXISTS. */
  async setPorted(caller: Principal, input: PortedNumberInput): Promise<{ owner: OwnerAnswer; replayed: boolean }> {
    assertOwnProvince(caller, this.config.province);
    const idempotencyKey = validateIdempotencyKey(input.idempotencyKey, 'idempotency_key');
    const msisdn = normaliseMsisdn(input.msisdn, 'msisdn');
    if (!isChineseMobile(msisdn)) throw new OwnershipError(OwnershipErrorCode.NotPortable, `${msisdn} is not a Chinese mobile number`, 'msisdn');
    const carrier = validateCarrier(input.carrier, 'carrier');
    const replayed = await retryOnUniqueViolation(() =>
      this.dataSource.transaction(async (em) => {
        const earlier = await this.ports.changeByKey(em, idempotencyKey);
        if (earlier) {
          if (earlier.msisdn !== msisdn || earlier.carrier !== carrier) {
            throw new OwnershipError(OwnershipErrorCode.KeyReused, `was already used to port ${earlier.msisdn} to ${earlier.carrier}`, 'idempotency_key');
          }
          return true;
        }
        await this.ports.record(em, { idempotencyKey, msisdn, carrier, setBy: caller.subject, setAt: this.clock.now() });
        return false;
      }),
    );
    // A replay answers with today's owner: a later port of the same number may have replaced this one.
    return { owner: await this.getOwner(msisdn), replayed };
  }
}

export function validateCarrier(input: string | undefined, field: string): CarrierId {
  if (!input) throw new ValidationError(ValidationErrorCode.Required, field, 'a carrier is required');
  if (!(CARRIER_IDS as readonly string[]).includes(input)) {
    throw new ValidationError(ValidationErrorCode.Malformed, field, `"${input.slice(0, 16)}" is not a carrier: use one of ${CARRIER_IDS.join(', ')}`);
  }
  return input as CarrierId;
}
