import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { OpenCase, TimelineItem } from './case-planner';
import type { DecisionRow, DirectiveRow, VerdictRow } from './case-timeline';
import { CaseStatus, type CaseEvent, type CaseFile } from './case';

interface CaseFileRow {
  case_id: string;
  msisdn: string;
  owner: string;
  status: CaseStatus;
  opened_at: Date;
  cleared_at: Date | null;
  due_at: Date | null;
  resolved_at: Date | null;
  escalated_at: Date | null;
}

/** A case event to record, keyed by the item it comes from (recorded once). */
export type NewCaseEvent = Pick<TimelineItem, 'key' | 'at' | 'actor' | 'what'>;

export interface CasePosition {
  openedAt: Date;
  caseId: string;
}

const CASE_COLUMNS = 'case_id, msisdn, owner, status, opened_at, cleared_at, due_at, resolved_at, escalated_at';

/**
 * Owns case_file, case_event, case_day_seq and case_tracker; reads a number's
 * decisions, directives and police verdicts (the feed's, the directives' and
 * the registry link's tables) to build its timeline.
 */
@Injectable()
export class CasesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The tracker's window: items changed after `seen_until` minus the overlap, up to the database's now. */
  async window(overlapSeconds: number): Promise<{ since: Date; until: Date }> {
    const rows: { since: Date; until: Date }[] = await this.dataSource.query(
      `SELECT seen_until - make_interval(secs => $1) AS since, now() AS until FROM case_tracker WHERE id = 1`,
      [overlapSeconds],
    );
    return rows[0]!;
  }

  async advance(until: Date): Promise<void> {
    await this.dataSource.query(`UPDATE case_tracker SET seen_until = GREATEST(seen_until, $1) WHERE id = 1`, [until]);
  }

  /**
   * Numbers whose case may have changed since `since`, in pages ordered by
   * number: those with an unresolved case and a new decision, directive or
   * verdict, and those with a new suspension (decision or SUSPEND directive)
   * that may open one. Anything else on a number without a case changes
   * nothing now; it is replayed with the number's history if a case opens.
   */
  async touchedNumbers(since: Date, after: string, limit: number): Promise<string[]> {
    const rows: { msisdn: string }[] = await this.dataSource.query(
      `WITH unresolved AS (SELECT msisdn FROM case_file WHERE resolved_at IS NULL)
       SELECT msisdn FROM (
         SELECT msisdn FROM carrier_decision
          WHERE received_at > $1 AND (action = 'SUSPEND' OR msisdn IN (SELECT msisdn FROM unresolved))
         UNION SELECT msisdn FROM directive
          WHERE changed_at > $1 AND msisdn IS NOT NULL
            AND (kind = 'SUSPEND' OR msisdn IN (SELECT msisdn FROM unresolved))
         UNION SELECT msisdn FROM registry_verdict WHERE received_at > $1 AND msisdn IN (SELECT msisdn FROM unresolved)
       ) touched WHERE msisdn > $2 ORDER BY msisdn LIMIT $3`,
      [since, after, limit],
    );
    return rows.map((r) => r.msisdn);
  }

  /** Serialises work on one number across transactions and replicas. */
  async lockNumber(em: EntityManager, msisdn: string): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtext('case:' || $1))`, [msisdn]);
  }

  async openCase(em: EntityManager, msisdn: string): Promise<OpenCase | null> {
    const rows: CaseFileRow[] = await em.query(
      `SELECT ${CASE_COLUMNS} FROM case_file WHERE msisdn = $1 AND resolved_at IS NULL`,
      [msisdn],
    );
    const row = rows[0];
    return row ? { caseId: row.case_id, owner: row.owner, openedAt: row.opened_at, dueAt: row.due_at } : null;
  }

  async lastResolvedAt(em: EntityManager, msisdn: string): Promise<Date | null> {
    const rows: { at: Date | null }[] = await em.query(
      `SELECT max(resolved_at) AS at FROM case_file WHERE msisdn = $1`,
      [msisdn],
    );
    return rows[0]?.at ?? null;
  }

  async recordedKeys(em: EntityManager, msisdn: string): Promise<Set<string>> {
    const rows: { source_key: string }[] = await em.query(
      `SELECT e.source_key FROM case_event e JOIN case_file c ON c.case_id = e.case_id WHERE c.msisdn = $1`,
      [msisdn],
    );
    return new Set(rows.map((r) => r.source_key));
  }

  async decisionsOf(em: EntityManager, msisdn: string): Promise<DecisionRow[]> {
    const rows: {
      carrier: string;
      decision_id: string;
      action: string;
      reasons: string[];
      score: number;
      policy: string;
      at: Date;
      summary: string | null;
    }[] = await em.query(
      `SELECT carrier, decision_id, action, reasons, score, policy, at,
              evidence->>'summary' AS summary FROM carrier_decision WHERE msisdn = $1`,
      [msisdn],
    );
    return rows.map((r) => ({
      carrier: r.carrier,
      decisionId: r.decision_id,
      action: r.action,
      reasons: r.reasons,
      score: r.score,
      policy: r.policy,
      at: r.at,
      summary: r.summary ?? '',
    }));
  }

  async directivesOf(em: EntityManager, msisdn: string): Promise<DirectiveRow[]> {
    const rows: {
      id: string;
      kind: string;
      carrier: string;
      status: string;
      reason: string;
      issued_by: string;
      issued_at: Date;
      last_delivered_at: Date | null;
      acknowledged_at: Date | null;
      ack_detail: string | null;
      expires_at: Date;
    }[] = await em.query(
      `SELECT id, kind, carrier, status, reason, issued_by, issued_at,
              last_delivered_at, acknowledged_at, ack_detail, expires_at
         FROM directive WHERE msisdn = $1`,
      [msisdn],
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      carrier: r.carrier,
      status: r.status,
      reason: r.reason,
      issuedBy: r.issued_by,
      issuedAt: r.issued_at,
      lastDeliveredAt: r.last_delivered_at,
      acknowledgedAt: r.acknowledged_at,
      ackDetail: r.ack_detail,
      expiresAt: r.expires_at,
    }));
  }

  async verdictsOf(em: EntityManager, msisdn: string): Promise<VerdictRow[]> {
    const rows: { version: string; status: VerdictRow['status']; changed_at: Date }[] = await em.query(
      `SELECT version, status, changed_at FROM registry_verdict WHERE msisdn = $1`,
      [msisdn],
    );
    return rows.map((r) => ({ version: Number(r.version), status: r.status, changedAt: r.changed_at }));
  }

  /** The next id of the day: SC-20240206-1, -2, … */
  async nextCaseNumber(em: EntityManager, day: string): Promise<number> {
    const rows: { last: number }[] = await em.query(
      `INSERT INTO case_day_seq (day, last) VALUES ($1, 1)
       ON CONFLICT (day) DO UPDATE SET last = case_day_seq.last + 1 RETURNING last`,
      [day],
    );
    return rows[0]!.last;
  }

  async insertCase(
    em: EntityManager,
    c: { caseId: string; msisdn: string; owner: string; openedAt: Date },
  ): Promise<void> {
    await em.query(`INSERT INTO case_file (case_id, msisdn, owner, status, opened_at) VALUES ($1, $2, $3, $4, $5)`, [
      c.caseId,
      c.msisdn,
      c.owner,
      CaseStatus.Open,
      c.openedAt,
    ]);
  }

  async addEvents(em: EntityManager, caseId: string, items: readonly NewCaseEvent[]): Promise<void> {
    if (items.length === 0) return;
    await em.query(
      `INSERT INTO case_event (case_id, at, actor, what, source_key)
       SELECT $1, at, actor, what, source_key
         FROM unnest($2::timestamptz[], $3::varchar[], $4::text[], $5::varchar[]) AS u(at, actor, what, source_key)
       ON CONFLICT (source_key) DO NOTHING`,
      [
        caseId,
        items.map((i) => i.at),
        items.map((i) => i.actor.slice(0, 128)),
        items.map((i) => i.what),
        items.map((i) => i.key),
      ],
    );
  }

  async startClock(em: EntityManager, caseId: string, clearedAt: Date, dueAt: Date): Promise<void> {
    await em.query(`UPDATE case_file SET cleared_at = $2, due_at = $3 WHERE case_id = $1 AND cleared_at IS NULL`, [
      caseId,
      clearedAt,
      dueAt,
    ]);
  }

  async resolve(em: EntityManager, caseId: string, at: Date, status: CaseStatus): Promise<void> {
    await em.query(`UPDATE case_file SET resolved_at = $2, status = $3 WHERE case_id = $1`, [caseId, at, status]);
  }

  /** Open cases past their due time become ESCALATED, with an event; answers them. */
  async escalateOverdue(
    now: Date,
    what: (c: { caseId: string; dueAt: Date }) => string,
  ): Promise<{ caseId: string; msisdn: string; dueAt: Date }[]> {
    return this.dataSource.transaction(async (em) => {
      // Through a CTE: TypeORM answers a bare UPDATE with [rows, count].
      const rows: { case_id: string; msisdn: string; due_at: Date }[] = await em.query(
        `WITH escalated AS (
           UPDATE case_file SET status = $2, escalated_at = $1
           WHERE status = $3 AND resolved_at IS NULL AND due_at < $1 RETURNING case_id, msisdn, due_at
         ) SELECT * FROM escalated`,
        [now, CaseStatus.Escalated, CaseStatus.Open],
      );
      const escalated = rows.map((r) => ({ caseId: r.case_id, msisdn: r.msisdn, dueAt: r.due_at }));
      for (const c of escalated) {
        await this.addEvents(em, c.caseId, [{ key: `escalated:${c.caseId}`, at: now, actor: 'admin', what: what(c) }]);
      }
      return escalated;
    });
  }

  /** Cases newest first, after a keyset position; with their events. */
  async page(status: CaseStatus | undefined, after: CasePosition | undefined, limit: number): Promise<CaseFile[]> {
    const rows: CaseFileRow[] = await this.dataSource.query(
      `SELECT ${CASE_COLUMNS} FROM case_file
       WHERE ($1::varchar IS NULL OR status = $1) AND ($2::timestamptz IS NULL OR (opened_at, case_id) < ($2, $3))
       ORDER BY opened_at DESC, case_id DESC LIMIT $4`,
      [status ?? null, after?.openedAt ?? null, after?.caseId ?? '', limit],
    );
    return this.withEvents(rows);
  }

  /** The number's unresolved case, else its latest one. */
  async latestOf(msisdn: string): Promise<CaseFile | undefined> {
    const rows: CaseFileRow[] = await this.dataSource.query(
      `SELECT ${CASE_COLUMNS} FROM case_file WHERE msisdn = $1
        ORDER BY resolved_at IS NULL DESC, opened_at DESC LIMIT 1`,
      [msisdn],
    );
    return (await this.withEvents(rows))[0];
  }

  private async withEvents(rows: CaseFileRow[]): Promise<CaseFile[]> {
    if (rows.length === 0) return [];
    const events: { case_id: string; at: Date; actor: string; what: string }[] = await this.dataSource.query(
      `SELECT case_id, at, actor, what FROM case_event WHERE case_id = ANY($1::varchar[]) ORDER BY at, id`,
      [rows.map((r) => r.case_id)],
    );
    const byCase = new Map<string, CaseEvent[]>();
    for (const e of events) {
      const list = byCase.get(e.case_id) ?? [];
      list.push({ at: e.at, actor: e.actor, what: e.what });
      byCase.set(e.case_id, list);
    }
    return rows.map((r) => ({
      caseId: r.case_id,
      msisdn: r.msisdn,
      owner: r.owner,
      status: r.status,
      openedAt: r.opened_at,
      clearedAt: r.cleared_at,
      dueAt: r.due_at,
      resolvedAt: r.resolved_at,
      escalatedAt: r.escalated_at,
      events: byCase.get(r.case_id) ?? [],
    }));
  }
}
