import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UsageProfile } from '@app/domain';
import { insertRow, rowByKey } from '@app/persistence';
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

  byKey(
    em: EntityManager,
    idempotencyKey: string,
  ): Promise<Pick<ProfileDeclarationRow, 'contentHash' | 'msisdn' | 'profile' | 'outcome'> | undefined> {
    return rowByKey(em, 'profile_declaration', ['contentHash', 'msisdn', 'profile', 'outcome'], idempotencyKey);
  }

  async declare(em: EntityManager, row: ProfileDeclarationRow): Promise<void> {
    await insertRow(em, 'profile_declaration', row);
    if (row.outcome === 'DECLARED') await this.subscribers.setProfile(row.msisdn, row.profile, em);
  }
}
