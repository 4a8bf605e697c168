import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  CLOCK,
  contentHash,
  normaliseMsisdn,
  UsageProfile,
  validateIdempotencyKey,
  type Clock,
  type Msisdn,
} from '@app/domain';
import type { Principal } from '@app/grpc';
import { idempotentWrite } from '@app/persistence';
import { AnalysisService } from '../analysis/analysis.service';
import { textField } from '../requests/text-field';
import { ProfileError } from './profiles.errors';
import { ProfilesRepository, type StoredDeclarationOutcome } from './profiles.repository';

export interface DeclarationInput {
  idempotencyKey: string;
  msisdn: string;
  profile: UsageProfile;
  attestedBy: string;
  attestationReference: string;
}

export interface DeclarationResult {
  msisdn: Msisdn;
  /** The profile in force: the one declared, or for CONFIRMED_FRAUD the one kept. */
  profile: UsageProfile;
  outcome: StoredDeclarationOutcome;
  replayed: boolean;
}

interface Declaration {
  idempotencyKey: string;
  msisdn: Msisdn;
  profile: UsageProfile;
  attestedBy: string;
  attestationReference: string;
  contentHash: string;
}

/**
 * An employer's or platform's attestation of a subscriber's work use: stored,
 * written to the subscriber directory (so it survives restarts) and given to the
 * engine, whose later analysis scales volume thresholds by the profile. For a
 * number the registry lists as CONFIRMED (police-confirmed fraud) it is only
 * recorded, as CONFIRMED_FRAUD: no attestation changes how such a number is treated.
 */
@Injectable()
export class ProfilesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly analysis: AnalysisService,
    private readonly repository: ProfilesRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async declare(declarer: Principal, input: DeclarationInput): Promise<DeclarationResult> {
    const declaration = validateDeclaration(input);
    const { result, replayed } = await idempotentWrite({
      dataSource: this.dataSource,
      scope: 'carrier.profile-declaration',
      key: declaration.idempotencyKey,
      contentHash: declaration.contentHash,
      find: async (em) => {
        const earlier = await this.repository.byKey(em, declaration.idempotencyKey);
        if (!earlier) return undefined;
        const msisdn = earlier.msisdn as Msisdn;
        const profile = earlier.outcome === 'DECLARED' ? earlier.profile : this.profileInForce(msisdn);
        return { contentHash: earlier.contentHash, result: { msisdn, profile, outcome: earlier.outcome } };
      },
      reused: () => new ProfileError('KEY_REUSED', 'was already used for a different declaration', 'idempotency_key'),
      apply: async (em, hooks) => {
        // Attestations are for our own subscribers: an unknown number is NOT_FOUND, never a dangling declaration.
        const subscriber = this.analysis.state.subscriberOf(declaration.msisdn);
        if (!subscriber) throw new ProfileError('NOT_SUBSCRIBER', 'is not a subscriber of this carrier', 'msisdn');
        const outcome: StoredDeclarationOutcome = this.analysis.state.isConfirmedFraud(declaration.msisdn)
          ? 'CONFIRMED_FRAUD'
          : 'DECLARED';
        await this.repository.declare(em, {
          idempotencyKey: declaration.idempotencyKey,
          contentHash: declaration.contentHash,
          msisdn: declaration.msisdn,
          profile: declaration.profile,
          outcome,
          attestedBy: declaration.attestedBy,
          attestationReference: declaration.attestationReference,
          declaredBy: declarer.subject,
          declaredAt: this.clock.now(),
        });
        if (outcome === 'CONFIRMED_FRAUD') return { msisdn: declaration.msisdn, profile: subscriber.profile, outcome };
        // The row, the directory and the engine change together: the engine is taken back if the transaction fails.
        await this.analysis.applyInTransaction(em, hooks, declaration.msisdn, (engine) =>
          engine.declareProfile(declaration.msisdn, declaration.profile),
        );
        return { msisdn: declaration.msisdn, profile: declaration.profile, outcome };
      },
    });
    return { ...result, replayed };
  }

  private profileInForce(msisdn: Msisdn): UsageProfile {
    return this.analysis.state.subscriberOf(msisdn)?.profile ?? UsageProfile.None;
  }
}

function validateDeclaration(input: DeclarationInput): Declaration {
  const content = {
    msisdn: normaliseMsisdn(input.msisdn, 'msisdn'),
    profile: input.profile,
    attestedBy: textField(input.attestedBy, 'attested_by', { max: 200, required: true }),
    attestationReference: textField(input.attestationReference, 'attestation_reference', { max: 200, required: true }),
  };
  return {
    idempotencyKey: validateIdempotencyKey(input.idempotencyKey, 'idempotency_key'),
    ...content,
    contentHash: contentHash(content),
  };
}
