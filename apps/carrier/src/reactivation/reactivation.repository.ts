import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Action } from '@app/domain';
import { insertRow, rowByKey } from '@app/persistence';

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

/** The rows of each kind of step on a suspended number: its table has the kind's name. */
export interface StepRows {
  reactivation: ReactivationRow;
  appeal: AppealRow;
}

export type StepKind = keyof StepRows;

/** What a re-activation or an appeal answered, as stored; `state` is null for rows from before states were kept. */
export type StoredStep<K extends StepKind> = Pick<StepRows[K], 'contentHash' | 'msisdn' | 'outcome'> & {
  state: Action | null;
};

const STEP_FIELDS = ['contentHash', 'msisdn', 'outcome', 'state'] as const;

/**
 * Owns reactivation and appeal: one row per request, found again by its
 * idempotency key, in the request's transaction.
 */
@Injectable()
export class ReactivationRepository {
  stepByKey<K extends StepKind>(
    em: EntityManager,
    kind: K,
    idempotencyKey: string,
  ): Promise<StoredStep<K> | undefined> {
    return rowByKey<StoredStep<K>>(em, kind, STEP_FIELDS, idempotencyKey);
  }

  /** Stores a step's row through its kind's insert (insertReactivation, insertAppeal). */
  insertStep<K extends StepKind>(em: EntityManager, kind: K, row: StepRows[K]): Promise<void> {
    const inserts: { [Kind in StepKind]: (row: StepRows[Kind]) => Promise<void> } = {
      reactivation: (reactivation) => this.insertReactivation(em, reactivation),
      appeal: (appeal) => this.insertAppeal(em, appeal),
    };
    return (inserts[kind] as (row: StepRows[K]) => Promise<void>)(row);
  }

  insertReactivation(em: EntityManager, row: ReactivationRow): Promise<void> {
    return insertRow(em, 'reactivation', row);
  }

  /** When appeals were upheld, per number: an upheld appeal gives back the re-activation chances used before it. */
  async upheldAppeals(em: EntityManager): Promise<{ msisdn: string; at: Date }[]> {
    return em.query(`SELECT msisdn, at FROM appeal WHERE outcome = 'UPHELD'`);
  }

  insertAppeal(em: EntityManager, row: AppealRow): Promise<void> {
    return insertRow(em, 'appeal', row);
  }
}
