import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Action, type Decision, type DecisionEvidence, type ReasonCode } from '@app/domain';

export interface StoredDecision {
  id: string;
  msisdn: string;
  at: Date;
  action: Action;
  previous: Action;
  reasons: ReasonCode[];
  score: number;
  policy: string;
  shadow: boolean;
  evidence: DecisionEvidence;
}

export interface OutboxMessage {
  destination: 'REGISTRY' | 'ADMIN';
  idempotencyKey: string;
  msisdn: string;
  payload: unknown;
}

interface DecisionRow {
  id: string;
  msisdn: string;
  at: Date;
  action: Action;
  previous: Action;
  reasons: ReasonCode[];
  score: number;
  policy: string;
  shadow: boolean;
  evidence: DecisionEvidence;
}

/** Owns decision, notice and outbox: a decision, its notice and its messages are written together. */
@Injectable()
export class DecisionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Writes decisions, notices and outbox messages in one transaction; rows already there are left alone. */
  async insert(decisions: { id: string; decision: Decision; notice?: string }[], outbox: OutboxMessage[]): Promise<void> {
    if (decisions.length === 0 && outbox.length === 0) return;
    await this.dataSource.transaction(async (em: EntityManager) => {
      if (decisions.length > 0) {
        await em.query(
          `INSERT INTO decision (id, msisdn, at, action, previous, reasons, score, policy, shadow, evidence)
           SELECT id, msisdn, at, action, previous, string_to_array(reasons, ','), score, policy, shadow, evidence
           FROM unnest($1::char(32)[], $2::varchar[], $3::timestamptz[], $4::varchar[], $5::varchar[], $6::text[], $7::float8[], $8::varchar[], $9::boolean[], $10::jsonb[])
             AS u(id, msisdn, at, action, previous, reasons, score, policy, shadow, evidence)
           ON CONFLICT (id) DO NOTHING`,
          [
            decisions.map((d) => d.id),
            decisions.map((d) => d.decision.msisdn),
            decisions.map((d) => new Date(d.decision.at)),
            decisions.map((d) => d.decision.action),
            decisions.map((d) => d.decision.previous),
            decisions.map((d) => d.decision.reasons.join(',')),
            decisions.map((d) => d.decision.score),
            decisions.map((d) => d.decision.policy),
            decisions.map((d) => d.decision.shadow),
            decisions.map((d) => JSON.stringify(d.decision.evidence)),
          ],
        );
        const notices = decisions.filter((d) => d.notice !== undefined);
        if (notices.length > 0) {
          await em.query(
            `INSERT INTO notice (decision_id, msisdn, at, text)
             SELECT * FROM unnest($1::char(32)[], $2::varchar[], $3::timestamptz[], $4::text[])
             ON CONFLICT (decision_id) DO NOTHING`,
            [notices.map((d) => d.id), notices.map((d) => d.decision.msisdn), notices.map((d) => new Date(d.decision.at)), notices.map((d) => d.notice)],
          );
        }
      }
      if (outbox.length > 0) {
        await em.query(
          `INSERT INTO outbox (destination, idempotency_key, msisdn, payload)
           SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::jsonb[])
           ON CONFLICT (destination, idempotency_key) DO NOTHING`,
          [outbox.map((m) => m.destination), outbox.map((m) => m.idempotencyKey), outbox.map((m) => m.msisdn), outbox.map((m) => JSON.stringify(m.payload))],
        );
      }
    });
  }

  /** Where each number stands on the active ladder: its latest active decision. */
  async latestPerNumber(onPage: (rows: { msisdn: string; action: Action; at: Date }[]) => void, pageSize = 20_000): Promise<void> {
    let after = '';
    for (;;) {
      const rows: { msisdn: string; action: Action; at: Date }[] = await this.dataSource.query(
        `SELECT DISTINCT ON (msisdn) msisdn, action, at FROM decision
         WHERE NOT shadow AND action <> 'REPORT' AND msisdn > $1
         ORDER BY msisdn, at DESC, recorded_at DESC LIMIT $2`,
        [after, pageSize],
      );
      if (rows.length === 0) return;
      onPage(rows);
      after = rows[rows.length - 1].msisdn;
      if (rows.length < pageSize) return;
    }
  }

  /** A number's decisions, newest first. */
  async ofNumber(msisdn: string, includeShadow: boolean, limit: number): Promise<StoredDecision[]> {
    const rows: DecisionRow[] = await this.dataSource.query(
      `SELECT id, msisdn, at, action, previous, reasons, score, policy, shadow, evidence FROM decision
       WHERE msisdn = $1 AND ($2 OR NOT shadow) ORDER BY at DESC, recorded_at DESC LIMIT $3`,
      [msisdn, includeShadow, limit],
    );
    return rows;
  }
}
