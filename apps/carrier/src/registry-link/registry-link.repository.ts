import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RegistryMark } from '@app/domain';
import { readRegistryCursor, storeAtRegistryCursor } from '@app/persistence';

export interface RegistryStatusRow {
  msisdn: string;
  status: RegistryMark | 'NOT_LISTED';
  version: number;
}

/** Owns registry_status (the local copy of the registry) and registry_cursor (how far its feed was read). */
@Injectable()
export class RegistryLinkRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Every number the local copy lists (SUSPECTED, CONFIRMED or CLEARED), for the engine at start-up. */
  async listed(): Promise<{ msisdn: string; status: RegistryMark }[]> {
    return this.dataSource.query(`SELECT msisdn, status FROM registry_status WHERE status <> 'NOT_LISTED'`);
  }

  cursor(): Promise<number> {
    return readRegistryCursor(this.dataSource);
  }

  /**
   * Stores statuses (one per number) and the cursor in one transaction, so a
   * restart resumes right after the last change stored. Older versions never
   * overwrite newer ones, so a second follower (another replica) is harmless.
   */
  async store(statuses: RegistryStatusRow[], cursor: number): Promise<void> {
    await storeAtRegistryCursor(this.dataSource, cursor, async (em) => {
      if (statuses.length > 0) {
        await em.query(
          `INSERT INTO registry_status (msisdn, status, version)
           SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::bigint[])
           ON CONFLICT (msisdn) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version
           WHERE registry_status.version < EXCLUDED.version`,
          [statuses.map((s) => s.msisdn), statuses.map((s) => s.status), statuses.map((s) => s.version)],
        );
      }
    });
  }
}
