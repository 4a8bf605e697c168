import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readRegistryCursor, storeAtRegistryCursor } from '@app/persistence';
import type { RegistryVerdict } from './registry-verdict.mapper';

/**
 * Owns registry_verdict (the police verdicts taken from the registry) and
 * registry_cursor (how far its feed was read).
 */
@Injectable()
export class RegistryLinkRepository {
  constructor(private readonly dataSource: DataSource) {}

  cursor(): Promise<number> {
    return readRegistryCursor(this.dataSource);
  }

  /** Verdicts and the cursor in one transaction: a restart resumes right after the last change stored. */
  async store(verdicts: RegistryVerdict[], cursor: number): Promise<void> {
    await storeAtRegistryCursor(this.dataSource, cursor, async (em) => {
      if (verdicts.length > 0) {
        await em.query(
          `INSERT INTO registry_verdict (msisdn, version, status, changed_at)
           SELECT * FROM unnest($1::varchar[], $2::bigint[], $3::varchar[], $4::timestamptz[])
           ON CONFLICT (msisdn, version) DO NOTHING`,
          [
            verdicts.map((v) => v.msisdn),
            verdicts.map((v) => v.version),
            verdicts.map((v) => v.status),
            verdicts.map((v) => v.changedAt),
          ],
        );
      }
    });
  }
}
