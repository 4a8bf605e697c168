import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Action, type CalleeWarning, type Decision, type DecisionTerm, type ReasonCode } from '@app/domain';

/**
 * A decision as stored: the domain's, with its id, and its time as the database
 * gives it; `term` is null when it has none.
 */
export type StoredDecision = Omit<Decision, 'at' | 'msisdn' | 'term'> & {
  id: string;
  msisdn: string;
  at: Date;
  term: DecisionTerm | null;
};

/** Where a number stands on the active ladder, from its latest active decision. */
export interface LatestDecision {
  msisdn: string;
  action: Action;
  at: Date;
  term: DecisionTerm | null;
  reasons: ReasonCode[];
}

/** Where a page of a newest-first listing ended: the last row's time and id. */
export interface PagePosition {
  at: Date;
  id: string;
}

export interface DecisionFilter {
  /** Undefined: every number. */
  msisdn?: string;
  includeShadow: boolean;
  since?: Date;
  after?: PagePosition;
}

export interface StoredNotice {
  id: string;
  msisdn: string;
  /** Empty for a callee warning's notice. */
  decisionId: string;
  at: Date;
  text: string;
  sentAt: Date | null;
}

/** A notice waiting for the SMS gateway. */
export interface PendingNotice {
  id: string;
  msisdn: string;
  text: string;
}

/** A callee warning to store, with its id and the SMS its callee is sent. */
export interface CalleeWarningRow {
  id: string;
  warning: CalleeWarning;
  notice: string;
}

export interface OutboxMessage {
  destination: 'REGISTRY' | 'ADMIN';
  idempotencyKey: string;
  /** Null for a message about no one number (a rule's demotion). */
  msisdn: string | null;
  payload: unknown;
}

/**
 * Owns decision, callee_warning, notice and outbox: a decision, its notice and
 * its messages are written together, and so are a callee warning and its notice.
 */
@Injectable()
export class DecisionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Callee warnings and their notices; resolves with how many were new (a replayed one is left alone). */
  async insertCalleeWarnings(em: EntityManager, warnings: CalleeWarningRow[]): Promise<number> {
    if (warnings.length === 0) return 0;
    const inserted: { id: string }[] = await em.query(
      `INSERT INTO callee_warning (id, callee, caller, at, policy, reasons)
       SELECT id, callee, caller, at, policy, string_to_array(reasons, ',')
       FROM unnest($1::char(32)[], $2::varchar[], $3::varchar[], $4::timestamptz[], $5::varchar[], $6::text[])
         AS u(id, callee, caller, at, policy, reasons)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        warnings.map((w) => w.id),
        warnings.map((w) => w.warning.callee),
        warnings.map((w) => w.warning.caller),
        warnings.map((w) => new Date(w.warning.at)),
        warnings.map((w) => w.warning.policy),
        warnings.map((w) => w.warning.reasons.join(',')),
      ],
    );
    await em.query(
      `INSERT INTO notice (callee_warning_id, msisdn, at, text)
       SELECT * FROM unnest($1::char(32)[], $2::varchar[], $3::timestamptz[], $4::text[])
       ON CONFLICT (callee_warning_id) DO NOTHING`,
      [
        warnings.map((w) => w.id),
        warnings.map((w) => w.warning.callee),
        warnings.map((w) => new Date(w.warning.at)),
        warnings.map((w) => w.notice),
      ],
    );
    return inserted.length;
  }

  /**
   * Decisions, their notices and outbox messages, in the caller's transaction
   * (the journal's, or a request's own); rows already there are left alone.
   */
  async insertIn(
    em: EntityManager,
    decisions: { id: string; decision: Decision; notice?: string }[],
    outbox: OutboxMessage[],
  ): Promise<void> {
    if (decisions.length > 0) {
      await em.query(
        `INSERT INTO decision (id, msisdn, at, action, previous, reasons, score, policy, shadow, evidence, term)
         SELECT id, msisdn, at, action, previous, string_to_array(reasons, ','), score, policy, shadow, evidence, term
         FROM unnest($1::char(32)[], $2::varchar[], $3::timestamptz[], $4::varchar[], $5::varchar[], $6::text[],
                     $7::float8[], $8::varchar[], $9::boolean[], $10::jsonb[], $11::jsonb[])
           AS u(id, msisdn, at, action, previous, reasons, score, policy, shadow, evidence, term)
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
          decisions.map((d) => (d.decision.term ? JSON.stringify(d.decision.term) : null)),
        ],
      );
      const notices = decisions.filter((d) => d.notice !== undefined);
      if (notices.length > 0) {
        await em.query(
          `INSERT INTO notice (decision_id, msisdn, at, text)
           SELECT * FROM unnest($1::char(32)[], $2::varchar[], $3::timestamptz[], $4::text[])
           ON CONFLICT (decision_id) DO NOTHING`,
          [
            notices.map((d) => d.id),
            notices.map((d) => d.decision.msisdn),
            notices.map((d) => new Date(d.decision.at)),
            notices.map((d) => d.notice),
          ],
        );
      }
    }
    if (outbox.length > 0) {
      await em.query(
        `INSERT INTO outbox (destination, idempotency_key, msisdn, payload)
         SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::jsonb[])
         ON CONFLICT (destination, idempotency_key) DO NOTHING`,
        [
          outbox.map((m) => m.destination),
          outbox.map((m) => m.idempotencyKey),
          outbox.map((m) => m.msisdn),
          outbox.map((m) => JSON.stringify(m.payload)),
        ],
      );
    }
  }

  /** Where each number stands on the active ladder: its latest active decision, with its term. */
  async latestPerNumber(onPage: (rows: LatestDecision[]) => void, pageSize = 20_000): Promise<void> {
    let after = '';
    for (;;) {
      const rows: LatestDecision[] = await this.dataSource.query(
        `SELECT DISTINCT ON (msisdn) msisdn, action, at, term, reasons FROM decision
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

  /**
   * Each callee's latest warning within `periodMs` of the newest one (event time): at start-up, what holds back a
   * second warning within the period.
   */
  async recentCalleeWarnings(periodMs: number): Promise<{ callee: string; at: Date }[]> {
    return this.dataSource.query(
      `SELECT callee, max(at) AS at FROM callee_warning
       WHERE at >= (SELECT max(at) FROM callee_warning) - $1 * interval '1 millisecond'
       GROUP BY callee`,
      [periodMs],
    );
  }

  /** The active ladder's restores, by number and oldest first: what the one-chance rule is rebuilt from. */
  async restores(): Promise<{ msisdn: string; at: Date; previous: Action; reasons: string[] }[]> {
    return this.dataSource.query(
      `SELECT msisdn, at, previous, reasons FROM decision
       WHERE NOT shadow AND action = 'RESTORE' ORDER BY msisdn, at`,
    );
  }

  /**
   * One ladder's decisions (policy and shadow flag) that its error budget is
   * rebuilt from, in event-time order: every RESTRICT, SUSPEND, RESTORE and
   * WARN from `since` on, and each number's latest one before (what its current
   * step cited).
   */
  async budgetHistory(
    policy: string,
    shadow: boolean,
    since: Date,
  ): Promise<{ msisdn: string; at: Date; action: Action; previous: Action; reasons: string[] }[]> {
    return this.dataSource.query(
      `SELECT msisdn, at, action, previous, reasons FROM (
         (SELECT DISTINCT ON (msisdn) msisdn, at, action, previous, reasons, recorded_at FROM decision
           WHERE policy = $1 AND shadow = $2 AND at < $3 AND action = ANY($4::varchar[])
           ORDER BY msisdn, at DESC, recorded_at DESC)
         UNION ALL
         (SELECT msisdn, at, action, previous, reasons, recorded_at FROM decision
           WHERE policy = $1 AND shadow = $2 AND at >= $3 AND action = ANY($4::varchar[]))
       ) h ORDER BY at, recorded_at, msisdn`,
      [policy, shadow, since, [Action.Restrict, Action.Suspend, Action.Restore, Action.Warn]],
    );
  }

  /** A number's decisions, newest first. */
  async ofNumber(msisdn: string, includeShadow: boolean, limit: number): Promise<StoredDecision[]> {
    const rows: StoredDecision[] = await this.dataSource.query(
      `SELECT id, msisdn, at, action, previous, reasons, score, policy, shadow, evidence, term FROM decision
       WHERE msisdn = $1 AND ($2 OR NOT shadow) ORDER BY at DESC, recorded_at DESC LIMIT $3`,
      [msisdn, includeShadow, limit],
    );
    return rows;
  }

  /**
   * Decisions newest first, ties in id order (the order of decision_at_idx), after
   * a keyset position. Shadow decisions only when asked for.
   */
  async page(filter: DecisionFilter, limit: number): Promise<StoredDecision[]> {
    const params: unknown[] = [filter.includeShadow, limit];
    const where = ['($1 OR NOT shadow)'];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (filter.msisdn !== undefined) where.push(`msisdn = ${param(filter.msisdn)}`);
    if (filter.since) where.push(`at >= ${param(filter.since)}`);
    if (filter.after) {
      const at = param(filter.after.at);
      where.push(`(at < ${at} OR (at = ${at} AND id > ${param(filter.after.id)}))`);
    }
    return this.dataSource.query(
      `SELECT id, msisdn, at, action, previous, reasons, score, policy, shadow, evidence, term FROM decision
       WHERE ${where.join(' AND ')} ORDER BY at DESC, id LIMIT $2`,
      params,
    );
  }

  /** A number's notices, newest first, after a keyset position. */
  async noticesOf(msisdn: string, after: PagePosition | undefined, limit: number): Promise<StoredNotice[]> {
    const rows: {
      id: string;
      msisdn: string;
      decision_id: string | null;
      at: Date;
      text: string;
      sent_at: Date | null;
    }[] = await this.dataSource.query(
      `SELECT id, msisdn, decision_id, at, text, sent_at FROM notice
       WHERE msisdn = $1 AND ($2::timestamptz IS NULL OR (at, id) < ($2::timestamptz, $3::bigint))
       ORDER BY at DESC, id DESC LIMIT $4`,
      [msisdn, after?.at ?? null, after?.id ?? null, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      msisdn: r.msisdn,
      decisionId: r.decision_id ?? '',
      at: r.at,
      text: r.text,
      sentAt: r.sent_at,
    }));
  }

  /**
   * Locks up to `limit` unsent notices, oldest first, skipping those another
   * sender holds (so replicas never send the same notice), hands them to
   * `deliver`, and marks the ones it returns as sent, in one transaction.
   */
  async deliverUnsent(
    limit: number,
    deliver: (notices: PendingNotice[]) => Promise<string[]>,
  ): Promise<{ locked: number; sent: number }> {
    return this.dataSource.transaction(async (em: EntityManager) => {
      const notices: PendingNotice[] = await em.query(
        `SELECT id::text AS id, msisdn, text FROM notice WHERE sent_at IS NULL
         ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (notices.length === 0) return { locked: 0, sent: 0 };
      const sent = await deliver(notices);
      if (sent.length > 0) await em.query(`UPDATE notice SET sent_at = now() WHERE id = ANY($1::bigint[])`, [sent]);
      return { locked: notices.length, sent: sent.length };
    });
  }
}
