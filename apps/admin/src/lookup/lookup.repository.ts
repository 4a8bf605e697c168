import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FeedDecision } from '../feed/feed-items';

/** A carrier's decision on a number, as the feed stored it. */
export type StoredDecision = Omit<FeedDecision, 'msisdn'> & { carrier: string; msisdn: string };

/** Read-only look at carrier_decision (written by the feed) for a number's look-up. */
@Injectable()
export class LookupRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Every carrier's decisions on the number, newest first. */
  async decisionsOf(msisdn: string, limit: number): Promise<StoredDecision[]> {
    // The columns are the decision's fields, decision_id aside.
    const rows: (Omit<StoredDecision, 'decisionId'> & { decision_id: string })[] = await this.dataSource.query(
      `SELECT carrier, decision_id, msisdn, action, previous, reasons, score, policy, at, evidence FROM carrier_decision
         WHERE msisdn = $1 ORDER BY at DESC, carrier, decision_id LIMIT $2`,
      [msisdn, limit],
    );
    return rows.map((r) => ({ ...r, decisionId: r.decision_id }));
  }
}
