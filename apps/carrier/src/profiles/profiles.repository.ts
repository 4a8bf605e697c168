import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UsageProfile } from '@app/domain';
import { SubscribersRepository } from '../subscribers/subscribers.repository';

export interface ProfileDeclarationRow {
  idempotencyKey: string;
  contentHash: string;
  msisdn: string;
  profile: UsageProfile;
  attestedBy: string;
  attestationReference: string;
  declaredBy: string;
  declaredAt: Date;
}

/** Owns profile_declaration; a declaration also sets the subscriber's profile, in the same transaction. */
@Injectable()
export class ProfilesRepository {
  constructor(private readonly subscribers: SubscribersRepository) {}

  async byKey(em: EntityManager, idempotencyKey: string): Promise<Pick<ProfileDeclarationRow, 'contentHash' | 'msisdn' | 'profile'> | undefined> {
    const rows: { content_hash: string; msisdn: string; profile: UsageProfile }[] = await em.query(
      `SELECT content_hash, msisdn, profile FROM profile_declaration WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return rows[0] && { contentHash: rows[0].content_hash, msisdn: rows[0].msisdn, profile: rows[0].profile };
  }

  async declare(em: EntityManager, row: ProfileDeclarationRow): Promise<void> {
    await em.query(
      `INSERT INTO profile_declaration (idempotency_key, content_hash, msisdn, profile, attested_by, attestation_reference, declared_by, declared_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [row.idempotencyKey, row.contentHash, row.msisdn, row.profile, row.attestedBy, row.attestationReference, row.declaredBy, row.declaredAt],
    );
    await this.subscribers.setProfile(row.msisdn, row.profile, em);
  }
}
