import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { UsageProfile } from '@app/domain';

/**
 * Read-only look at profile_declaration (written by DeclareProfile, owned by the
 * profiles feature): whether a number's profile rests on an employer's attestation;
 * and at callee_warning (owned by decisions): whom a number's calls got warned.
 */
@Injectable()
export class ExplainRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** True when the number's latest attested declaration (one that took effect) is this profile. */
  async isAttested(msisdn: string, profile: UsageProfile): Promise<boolean> {
    const rows: { profile: string }[] = await this.dataSource.query(
      `SELECT profile FROM profile_declaration WHERE msisdn = $1 AND outcome = 'DECLARED'
       ORDER BY declared_at DESC, id DESC LIMIT 1`,
      [msisdn],
    );
    return rows[0]?.profile === profile;
  }

  /** Distinct callees warned after answering the number's calls, from `since` (event time). */
  async calleesWarned(caller: string, since: Date): Promise<number> {
    const rows: { count: string }[] = await this.dataSource.query(
      `SELECT count(DISTINCT callee) AS count FROM callee_warning WHERE caller = $1 AND at >= $2`,
      [caller, since],
    );
    return Number(rows[0]?.count ?? 0);
  }
}
