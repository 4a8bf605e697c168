import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { SubscriberEvent, UsageProfile } from '@app/domain';

export interface SubscriberRow {
  msisdn: string;
  activatedAt: Date;
  realNameVerified: boolean;
  profile: UsageProfile;
}

/** Owns subscriber: the directory the engine reloads at start-up. */
@Injectable()
export class SubscribersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts or updates records in one statement; the last record of a number in the batch wins. */
  async upsert(records: readonly SubscriberEvent[], em: EntityManager = this.dataSource.manager): Promise<void> {
    if (records.length === 0) return;
    const latest = new Map(records.map((r) => [r.msisdn, r]));
    const rows = [...latest.values()];
    await em.query(
      `INSERT INTO subscriber (msisdn, activated_at, real_name_verified, profile, updated_at)
       SELECT m, a, r, p, now()
       FROM unnest($1::varchar[], $2::timestamptz[], $3::boolean[], $4::varchar[]) AS u(m, a, r, p)
       ON CONFLICT (msisdn) DO UPDATE SET
         activated_at = EXCLUDED.activated_at,
         real_name_verified = EXCLUDED.real_name_verified,
         -- an attested declaration (DeclareProfile) is not undone by a directory sync
         profile = CASE
           WHEN EXISTS (
             SELECT 1 FROM profile_declaration d WHERE d.msisdn = subscriber.msisdn AND d.outcome = 'DECLARED'
           )
           THEN subscriber.profile
           ELSE EXCLUDED.profile
         END,
         updated_at = now()`,
      [
        rows.map((r) => r.msisdn),
        rows.map((r) => new Date(r.activatedAt)),
        rows.map((r) => r.realNameVerified),
        rows.map((r) => r.profile),
      ],
    );
  }

  /** `em`: inside the caller's transaction (a profile declaration and its row commit together). */
  async setProfile(msisdn: string, profile: UsageProfile, em: EntityManager = this.dataSource.manager): Promise<void> {
    await em.query(`UPDATE subscriber SET profile = $2, updated_at = now() WHERE msisdn = $1`, [msisdn, profile]);
  }

  /**
   * The latest attested profile of every number that has one
   * (declarations refused as CONFIRMED_FRAUD changed nothing).
   */
  async attestedProfiles(): Promise<{ msisdn: string; profile: UsageProfile }[]> {
    return this.dataSource.query(
      `SELECT DISTINCT ON (msisdn) msisdn, profile FROM profile_declaration
       WHERE outcome = 'DECLARED' ORDER BY msisdn, declared_at DESC, id DESC`,
    );
  }

  /** Every subscriber, a page at a time (keyset on msisdn). */
  async forEach(onPage: (rows: SubscriberRow[]) => void, pageSize = 50_000): Promise<void> {
    let after = '';
    for (;;) {
      const rows: { msisdn: string; activated_at: Date; real_name_verified: boolean; profile: UsageProfile }[] =
        await this.dataSource.query(
          `SELECT msisdn, activated_at, real_name_verified, profile FROM subscriber
           WHERE msisdn > $1 ORDER BY msisdn LIMIT $2`,
          [after, pageSize],
        );
      if (rows.length === 0) return;
      onPage(
        rows.map((r) => ({
          msisdn: r.msisdn,
          activatedAt: r.activated_at,
          realNameVerified: r.real_name_verified,
          profile: r.profile,
        })),
      );
      after = rows[rows.length - 1].msisdn;
      if (rows.length < pageSize) return;
    }
  }
}
