import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { UsageProfile } from '@app/domain';

/**
 * Read-only look at profile_declaration (written by DeclareProfile, owned by the
 * profiles feature): whether a number's profile rests on an employer's attestation.
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
}
