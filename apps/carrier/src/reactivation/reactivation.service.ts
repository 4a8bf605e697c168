import { Injectable } from '@nestjs/common';
import {
  Action,
  contentHash,
  normaliseMsisdn,
  validateIdempotencyKey,
  ValidationError,
  ValidationErrorCode,
  type Msisdn,
  type ReactivationOutcome,
} from '@app/domain';
import type { Principal } from '@app/grpc';
import { textField } from '../requests/text-field';
import { NationalIdHasher, parseNationalId } from './national-id';
import { type StoredReactivationOutcome } from './reactivation.repository';
import { StepRequests } from './step-requests';

export interface ReactivationInput {
  idempotencyKey: string;
  msisdn: string;
  verificationReference: string;
  nationalId: string;
  idVerified: boolean;
}

export interface ReactivationResult {
  msisdn: Msisdn;
  outcome: StoredReactivationOutcome;
  /** The number's step once it was done (a replay answers the first call's). */
  state: Action;
  replayed: boolean;
}

interface ReactivationRequest {
  idempotencyKey: string;
  msisdn: Msisdn;
  verificationReference: string;
  nationalIdHash: string | null;
  nationalIdLast4: string | null;
  idVerified: boolean;
  contentHash: string;
}

const STORED: Record<ReactivationOutcome, StoredReactivationOutcome> = {
  RESTORED: 'RESTORED',
  NOT_SUSPENDED: 'NOT_SUSPENDED',
  ID_NOT_VERIFIED: 'ID_NOT_VERIFIED',
  REFER_TO_POLICE: 'REFERRED_TO_POLICE',
  CONFIRMED_FRAUD: 'CONFIRMED_FRAUD',
};

/**
 * Re-activation after an ID check: the engine applies the one-chance rule; each
 * request is stored with its outcome, the national ID only as a keyed hash and
 * its last four characters. With no chance left the answer is REFERRED_TO_POLICE:
 * the suspension already flagged the number to the registry, where the police
 * verify it, so nothing more is written here. A number the registry lists as
 * CONFIRMED is answered CONFIRMED_FRAUD: the police confirmed it, no ID check lifts that.
 */
@Injectable()
export class ReactivationService {
  constructor(
    private readonly steps: StepRequests,
    private readonly hasher: NationalIdHasher,
  ) {}

  reactivate(clerk: Principal, input: ReactivationInput): Promise<ReactivationResult> {
    const request = this.validate(input);
    return this.steps.write('reactivation', request, {
      change: async (em, hooks, at, once) => {
        const { reactivation } = await this.steps.analysis.applyInTransaction(
          em,
          hooks,
          request.msisdn,
          { kind: 'reactivation', msisdn: request.msisdn, idVerified: request.idVerified, atMs: at.getTime() },
          once,
        );
        if (!reactivation) throw new Error('the engine gave no re-activation outcome');
        return STORED[reactivation];
      },
      row: (outcome, state, at) => ({ ...request, outcome, state, performedBy: clerk.subject, at }),
    });
  }

  /** The national ID is needed when the check passed; given otherwise, it is validated and kept the same way. */
  private validate(input: ReactivationInput): ReactivationRequest {
    const idempotencyKey = validateIdempotencyKey(input.idempotencyKey, 'idempotency_key');
    const msisdn = normaliseMsisdn(input.msisdn, 'msisdn');
    const verificationReference = textField(input.verificationReference, 'verification_reference', {
      max: 200,
      required: true,
    });
    const nationalId =
      input.idVerified || input.nationalId ? parseNationalId(input.nationalId, 'national_id') : undefined;
    if (nationalId && verificationReference.toUpperCase().includes(nationalId)) {
      throw new ValidationError(
        ValidationErrorCode.Malformed,
        'verification_reference',
        'must not contain the national ID number (the reference is stored as is)',
      );
    }
    const content = {
      msisdn,
      verificationReference,
      nationalIdHash: nationalId ? this.hasher.hash(nationalId) : null,
      nationalIdLast4: nationalId ? NationalIdHasher.lastFour(nationalId) : null,
      idVerified: input.idVerified,
    };
    return { idempotencyKey, ...content, contentHash: contentHash(content) };
  }
}
