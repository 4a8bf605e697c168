import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Action } from '@app/domain';
import type { DirectiveOutcome } from './directive.mapper';

/** Owns directive_log: each directive's outcome, kept so that a redelivery is answered, never applied again. */
@Injectable()
export class DirectiveLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(directiveId: string): Promise<DirectiveOutcome | undefined> {
    const rows: { outcome: DirectiveOutcome['outcome']; detail: string; state: Action | null }[] =
      await this.dataSource.query(`SELECT outcome, detail, state FROM directive_log WHERE directive_id = $1`, [
        directiveId,
      ]);
    return rows[0] && { outcome: rows[0].outcome, detail: rows[0].detail, state: rows[0].state ?? undefined };
  }

  /** Stores the outcome unless one is stored already (another replica's); resolves with the one that stands. */
  async record(
    directiveId: string,
    kind: string,
    msisdn: string | undefined,
    o: DirectiveOutcome,
  ): Promise<DirectiveOutcome> {
    await this.dataSource.query(
      `INSERT INTO directive_log (directive_id, kind, msisdn, outcome, detail, state) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (directive_id) DO NOTHING`,
      [directiveId, kind, msisdn ?? null, o.outcome, o.detail, o.state ?? null],
    );
    return (await this.find(directiveId)) ?? o;
  }
}
