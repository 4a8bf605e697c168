import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What Reactivate answered, as stored (the wire enum without its prefix; the engine says REFER_TO_POLICE). */
export type StoredReactivationOutcome = 'RESTORED' | 'NOT_SUSPENDED' | 'ID_NOT_VERIFIED' | 'REFERRED_TO_POLICE' | 'CONFIRMED_FRAUD';

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
  resolvedBy: string;
  at: Date;
}

/** Owns reactivation and appeal: one row per request, found again by its idempotency key. */
@Injectable()
export class ReactivationRepository {
  constructor(private readonly dataSource: DataSource) {}

  async reactivationByKey(idempotencyKey: string): Promise<Pick<ReactivationRow, 'contentHash' | 'msisdn' | 'outcome'> | undefined> {
    const rows: { content_hash: string; msisdn: string; outcome: StoredReactivationOutcome }[] = await this.dataSource.query(
      `SELECT content_hash, msisdn, outcome FROM reactivation WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return rows[0] && { contentHash: rows[0].content_hash, msisdn: rows[0].msisdn, outcome: rows[0].outcome };
  }

  async insertReactivation(row: ReactivationRow): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO reactivation (idempotency_key, content_hash, msisdn, verification_reference, national_id_hash, national_id_last4, id_verified, outcome, performed_by, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [row.idempotencyKey, row.contentHash, row.msisdn, row.verificationReference, row.nationalIdHash, row.nationalIdLast4, row.idVerified, row.outcome, row.performedBy, row.at],
    );
  }

  async appealByKey(idempotencyKey: string): Promise<Pick<AppealRow, 'contentHash' | 'msisdn' | 'outcome'> | undefined> {
    const rows: { content_hash: string; msisdn: string; outcome: StoredAppealOutcome }[] = await this.dataSource.query(
      `SELECT content_hash, msisdn, outcome FROM appeal WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return rows[0] && { contentHash: rows[0].content_hash, msisdn: rows[0].msisdn, outcome: rows[0].outcome };
  }

  async insertAppeal(row: AppealRow): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO appeal (idempotency_key, content_hash, msisdn, upheld, outcome, reference, note, resolved_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [row.idempotencyKey, row.contentHash, row.msisdn, row.upheld, row.outcome, row.reference, row.note, row.resolvedBy, row.at],
    );
  }
}
