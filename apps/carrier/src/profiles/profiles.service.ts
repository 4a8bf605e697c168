import { Injectable } from '@nestjs/common';
import { contentHash, normaliseMsisdn, UsageProfile, validateIdempotencyKey, type Msisdn } from '@app/domain';
import type { Principal } from '@app/grpc';
import { SubscriberRequests } from '../requests/subscriber-requests';
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
    private readonly requests: SubscriberRequests,
    private readonly repository: ProfilesRepository,
  ) {}

  async declare(declarer: Principal, input: DeclarationInput): Promise<DeclarationResult> {
    const declaration = validateDeclaration(input);
    const { analysis } = this.requests;
    return this.requests.write('carrier.profile-declaration', declaration, {
      stored: (em) => this.repository.byKey(em, declaration.idempotencyKey),
      answer: (row) => {
        const msisdn = row.msisdn as Msisdn;
        const profile = row.outcome === 'DECLARED' ? row.profile : this.profileInForce(msisdn);
        return { msisdn, profile, outcome: row.outcome };
      },
      reused: () => new ProfileError('KEY_REUSED', 'was already used for a different declaration', 'idempotency_key'),
      apply: async (em, hooks) => {
        // Attestations are for our own subscribers: an unknown number is NOT_FOUND, never a dangling declaration.
        const subscriber = analysis.state.subscriberOf(declaration.msisdn);
        if (!subscriber) throw new ProfileError('NOT_SUBSCRIBER', 'is not a subscriber of this carrier', 'msisdn');
        const outcome: StoredDeclarationOutcome = analysis.state.isConfirmedFraud(declaration.msisdn)
          ? 'CONFIRMED_FRAUD'
          : 'DECLARED';
        const declare = () =>
          this.repository.declare(em, {
            idempotencyKey: declaration.idempotencyKey,
            contentHash: declaration.contentHash,
            msisdn: declaration.msisdn,
            profile: declaration.profile,
            outcome,
            attestedBy: declaration.attestedBy,
            attestationReference: declaration.attestationReference,
            declaredBy: declarer.subject,
            declaredAt: this.requests.now(),
          });
        if (outcome === 'CONFIRMED_FRAUD') {
          await declare();
          return { msisdn: declaration.msisdn, profile: subscriber.profile, outcome };
        }
        // The engine, the row and the directory change together: the engine is taken back if the transaction fails.
        // The engine first: it waits for the journal's writes in flight, which may touch this subscriber's row.
        await analysis.applyInTransaction(
          em,
          hooks,
          declaration.msisdn,
          { kind: 'declareProfile', msisdn: declaration.msisdn, profile: declaration.profile },
          {
            scope: 'carrier.profile-declaration',
            idempotencyKey: declaration.idempotencyKey,
            contentHash: declaration.contentHash,
          },
        );
        await declare();
        return { msisdn: declaration.msisdn, profile: declaration.profile, outcome };
      },
    });
  }

  private profileInForce(msisdn: Msisdn): UsageProfile {
    return this.requests.analysis.state.subscriberOf(msisdn)?.profile ?? UsageProfile.None;
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
