import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UsageProfile } from '@app/domain';
import { SubscribersRepository } from '../subscribers/subscribers.repository';

/** What DeclareProfile answered, as stored (the wire enum without its prefix). */
export type StoredDeclarationOutcome = 'DECLARED' | 'CONFIRMED_FRAUD';

export interface ProfileDeclarationRow {
  idempotencyKey: string;
  contentHash: string;
  msisdn: string;
  profile: UsageProfile;
  /** CONFIRMED_FRAUD: recorded, but the subscriber's profile is left as it was. */
  outcome: StoredDeclarationOutcome;
  attestedBy: string;
  attestationReference: string;
  declaredBy: string;
  declaredAt: Date;
}

/** Owns profile_declaration; a declaration also sets the subscriber's profile, in the same transaction. */
@Injectable()
export class ProfilesRepository {
  constructor(private readonly subscribers: SubscribersRepository) {}

  async byKey(
    em: EntityManager,
    idempotencyKey: string,
  ): Promise<Pick<ProfileDeclarationRow, 'contentHash' | 'msisdn' | 'profile' | 'outcome'> | undefined> {
    const rows: { content_hash: string; msisdn: string; profile: UsageProfile; outcome: StoredDeclarationOutcome }[] =
      await em.query(
        `SELECT content_hash, msisdn, profile, outcome FROM profile_declaration WHERE idempotency_key = $1`,
        [idempotencyKey],
      );
    return (
      rows[0] && {
        contentHash: rows[0].content_hash,
        msisdn: rows[0].msisdn,
        profile: rows[0].profile,
        outcome: rows[0].outcome,
      }
    );
  }

  async declare(em: EntityManager, row: ProfileDeclarationRow): Promise<void> {
    await em.query(
      `INSERT INTO profile_declaration (idempotency_key, content_hash, msisdn, profile, outcome, attested_by, attestation_reference, declared_by, declared_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        row.idempotencyKey,
        row.contentHash,
        row.msisdn,
        row.profile,
        row.outcome,
        row.attestedBy,
        row.attestationReference,
        row.declaredBy,
        row.declaredAt,
      ],
    );
    if (row.outcome === 'DECLARED') await this.subscribers.setProfile(row.msisdn, row.profile, em);
  }
}
