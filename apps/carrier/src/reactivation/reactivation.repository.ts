import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Action } from '@app/domain';

/** What Reactivate answered, as stored (the wire enum without its prefix; the engine says REFER_TO_POLICE). */
export type StoredReactivationOutcome =
  'RESTORED' | 'NOT_SUSPENDED' | 'ID_NOT_VERIFIED' | 'REFERRED_TO_POLICE' | 'CONFIRMED_FRAUD';

/** What ResolveAppeal answered, as stored (the wire enum without its prefix). */
export type StoredAppealOutcome = 'UPHELD' | 'REJECTED' | 'CONFIRMED_FRAUD';

export interface ReactivationRow {
  idempotencyKey: string;
  contentHash: string;
  msisdn: string;
  verificationReference: string;
  /** HMAC-SHA256 of the national ID and its last four characters; null when none was given. */
  nationalIdHash: string | null;
  nationalIdLast4: string | null;
  idVerified: boolean;
  outcome: StoredReactivationOutcome;
  /** The number's step once it was done, as answered. */
  state: Action;
  performedBy: string;
  at: Date;
}

export interface AppealRow {
  idempotencyKey: string;
  contentHash: string;
  msisdn: string;
  upheld: boolean;
  outcome: StoredAppealOutcome;
  reference: string;
  note: string;
  /** The number's step once it was resolved, as answered. */
  state: Action;
  resolvedBy: string;
  at: Date;
}

/** Owns reactivation and appeal: one row per request, found again by its idempotency key, in the request's transaction. */
@Injectable()
export class ReactivationRepository {
  /** A re-activation's stored answer; `state` is null for rows from before states were kept. */
  async reactivationByKey(
    em: EntityManager,
    idempotencyKey: string,
  ): Promise<(Pick<ReactivationRow, 'contentHash' | 'msisdn' | 'outcome'> & { state: Action | null }) | undefined> {
    const rows: { content_hash: string; msisdn: string; outcome: StoredReactivationOutcome; state: Action | null }[] =
      await em.query(`SELECT content_hash, msisdn, outcome, state FROM reactivation WHERE idempotency_key = $1`, [
        idempotencyKey,
      ]);
    return (
      rows[0] && {
        contentHash: rows[0].content_hash,
        msisdn: rows[0].msisdn,
        outcome: rows[0].outcome,
        state: rows[0].state,
      }
    );
  }

  async insertReactivation(em: EntityManager, row: ReactivationRow): Promise<void> {
    await em.query(
      `INSERT INTO reactivation (idempotency_key, content_hash, msisdn, verification_reference, national_id_hash, national_id_last4, id_verified, outcome, state, performed_by, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        row.idempotencyKey,
        row.contentHash,
        row.msisdn,
        row.verificationReference,
        row.nationalIdHash,
        row.nationalIdLast4,
        row.idVerified,
        row.outcome,
        row.state,
        row.performedBy,
        row.at,
      ],
    );
  }

  /** When appeals were upheld, per number: an upheld appeal gives back the re-activation chances used before it. */
  async upheldAppeals(em: EntityManager): Promise<{ msisdn: string; at: Date }[]> {
    return em.query(`SELECT msisdn, at FROM appeal WHERE outcome = 'UPHELD'`);
  }

  /** An appeal's stored answer; `state` is null for rows from before states were kept. */
  async appealByKey(
    em: EntityManager,
    idempotencyKey: string,
  ): Promise<(Pick<AppealRow, 'contentHash' | 'msisdn' | 'outcome'> & { state: Action | null }) | undefined> {
    const rows: { content_hash: string; msisdn: string; outcome: StoredAppealOutcome; state: Action | null }[] =
      await em.query(`SELECT content_hash, msisdn, outcome, state FROM appeal WHERE idempotency_key = $1`, [
        idempotencyKey,
      ]);
    return (
      rows[0] && {
        contentHash: rows[0].content_hash,
        msisdn: rows[0].msisdn,
        outcome: rows[0].outcome,
        state: rows[0].state,
      }
    );
  }

  async insertAppeal(em: EntityManager, row: AppealRow): Promise<void> {
    await em.query(
      `INSERT INTO appeal (idempotency_key, content_hash, msisdn, upheld, outcome, reference, note, state, resolved_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        row.idempotencyKey,
        row.contentHash,
        row.msisdn,
        row.upheld,
        row.outcome,
        row.reference,
        row.note,
        row.state,
        row.resolvedBy,
        row.at,
      ],
    );
  }
}
