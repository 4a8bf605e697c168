import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface PortingChange {
  idempotencyKey: string;
  msisdn: string;
  carrier: string;
  setBy: string;
  setAt: Date;
}

/** Owns ported_number (a number's current owner after porting) and ported_number_change (every port, by key). */
@Injectable()
export class OwnershipRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Read in the caller's transaction when given its manager. */
  async portedOwner(msisdn: string, em: EntityManager = this.dataSource.manager): Promise<string | undefined> {
    const rows: { carrier: string }[] = await em.query('SELECT carrier FROM ported_number WHERE msisdn = $1', [msisdn]);
    return rows[0]?.carrier;
  }

  async changeByKey(em: EntityManager, idempotencyKey: string): Promise<PortingChange | undefined> {
    const rows: PortingChange[] = await em.query(
      `SELECT idempotency_key AS "idempotencyKey", msisdn, carrier, set_by AS "setBy", set_at AS "setAt"
       FROM ported_number_change WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return rows[0];
  }

  /** Records the port and makes it the number's current owner. */
  async record(em: EntityManager, change: PortingChange): Promise<void> {
    await em.query(
      `INSERT INTO ported_number_change (idempotency_key, msisdn, carrier, set_by, set_at) VALUES ($1, $2, $3, $4, $5)`,
      [change.idempotencyKey, change.msisdn, change.carrier, change.setBy, change.setAt],
    );
    await em.query(
      `INSERT INTO ported_number (msisdn, carrier, idempotency_key, set_by, set_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (msisdn) DO UPDATE SET carrier = EXCLUDED.carrier, idempotency_key = EXCLUDED.idempotency_key,
         set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at`,
      [change.msisdn, change.carrier, change.idempotencyKey, change.setBy, change.setAt],
    );
  }
}
