import { Injectable } from '@nestjs/common';
import { isMsisdn, normaliseMsisdn, ValidationError, ValidationErrorCode } from '@app/domain';
import { numberStatus, type registry } from '@app/contracts';
import { RoleKind } from '@app/grpc';
import { ChangeFeed } from './change-feed.service';
import { StatusIndex } from './status-index';

export const MAX_NUMBERS_PER_CHECK = 10_000;

/** Who may check numbers, in v1 and v2 alike. */
export const CHECK_NUMBERS_ROLES: readonly RoleKind[] = [
  RoleKind.Carrier,
  RoleKind.Admin,
  RoleKind.Analyst,
  RoleKind.Police,
];

@Injectable()
export class NumbersService {
  constructor(private readonly feed: ChangeFeed) {}

  /** Call-setup check: from memory only, in request order; one bad number refuses the call. */
  check(msisdns: string[]): registry.NumberStatusEntry[] {
    if (msisdns.length === 0)
      throw new ValidationError(ValidationErrorCode.Required, 'msisdns', 'at least one number is required');
    if (msisdns.length > MAX_NUMBERS_PER_CHECK) {
      throw new ValidationError(
        ValidationErrorCode.OutOfRange,
        'msisdns',
        `at most ${MAX_NUMBERS_PER_CHECK} numbers per call, got ${msisdns.length}`,
      );
    }
    const index = this.feed.index;
    const results = new Array<registry.NumberStatusEntry>(msisdns.length);
    for (let i = 0; i < msisdns.length; i++) {
      const raw = msisdns[i];
      // The common case, already E.164, skips normalisation's allocations.
      const msisdn = raw.startsWith('+') && isMsisdn(raw) ? raw : normaliseMsisdn(raw, `msisdns[${i}]`);
      const packed = index.lookup(msisdn);
      results[i] = {
        msisdn,
        status: numberStatus.toWire(StatusIndex.statusIn(packed)),
        version: StatusIndex.versionIn(packed),
      };
    }
    return results;
  }

  validateSince(sinceVersion: number | undefined): number {
    const since = Number(sinceVersion ?? 0);
    if (!Number.isSafeInteger(since) || since < 0)
      throw new ValidationError(
        ValidationErrorCode.OutOfRange,
        'since_version',
        'must be 0 or a version returned by this registry',
      );
    return since;
  }
}
