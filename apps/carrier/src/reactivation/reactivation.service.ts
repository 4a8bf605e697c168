import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  Action,
  CLOCK,
  contentHash,
  normaliseMsisdn,
  validateIdempotencyKey,
  ValidationError,
  ValidationErrorCode,
  type Clock,
  type Msisdn,
  type ReactivationOutcome,
} from '@app/domain';
import type { Principal } from '@app/grpc';
import { idempotentWrite } from '@app/persistence';
import { AnalysisService } from '../analysis/analysis.service';
import { textField } from '../requests/text-field';
import { NationalIdHasher, parseNationalId } from './national-id';
import { ownSubscriber } from './own-subscriber';
import { ReactivationError } from './reactivation.errors';
import { ReactivationRepository, type StoredReactivationOutcome } from './reactivation.repository';

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
    private readonly dataSource: DataSource,
    private readonly analysis: AnalysisService,
    private readonly repository: ReactivationRepository,
    private readonly hasher: NationalIdHasher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async reactivate(clerk: Principal, input: ReactivationInput): Promise<ReactivationResult> {
    const request = this.validate(input);
    const at = this.clock.now();
    const { result, replayed } = await idempotentWrite({
      dataSource: this.dataSource,
      scope: 'carrier.reactivation',
      key: request.idempotencyKey,
      contentHash: request.contentHash,
      find: async (em) => {
        const earlier = await this.repository.reactivationByKey(em, request.idempotencyKey);
        if (!earlier) return undefined;
        const msisdn = earlier.msisdn as Msisdn;
        return {
          contentHash: earlier.contentHash,
          result: {
            msisdn,
            outcome: earlier.outcome,
            state: earlier.state ?? this.analysis.state.levelOf(msisdn, at.getTime()),
          },
        };
      },
      reused: () =>
        new ReactivationError('KEY_REUSED', 'was already used for a different re-activation', 'idempotency_key'),
      apply: async (em, hooks) => {
        ownSubscriber(this.analysis.state, request.msisdn);
        const { reactivation } = await this.analysis.applyInTransaction(em, hooks, request.msisdn, (engine) =>
          engine.reactivation(request.msisdn, request.idVerified, at.getTime()),
        );
        if (!reactivation) throw new Error('the engine gave no re-activation outcome');
        const outcome = STORED[reactivation];
        const state = this.analysis.state.levelOf(request.msisdn, at.getTime());
        await this.repository.insertReactivation(em, {
          idempotencyKey: request.idempotencyKey,
          contentHash: request.contentHash,
          msisdn: request.msisdn,
          verificationReference: request.verificationReference,
          nationalIdHash: request.nationalIdHash,
          nationalIdLast4: request.nationalIdLast4,
          idVerified: request.idVerified,
          outcome,
          state,
          performedBy: clerk.subject,
          at,
        });
        return { msisdn: request.msisdn, outcome, state };
      },
    });
    return { ...result, replayed };
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
