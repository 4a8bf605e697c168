import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Action, Msisdn } from '@app/domain';
import type { PageCursor, ReviewState, StoredReviewTask } from './review-task';

/** A task to open: the RESTRICT decision that held a suspension back, and its evidence. */
export interface NewReviewTask {
  decisionId: string;
  msisdn: string;
  openedAt: Date;
  reasons: readonly string[];
  score: number;
  policy: string;
}

/** A person's answer, as stored on the task. */
export interface ReviewAnswer {
  state: Exclude<ReviewState, 'OPEN'>;
  decidedBy: string;
  decidedAt: Date;
  why: string;
  requestId: string;
  contentHash: string;
  /** The number's step once decided: what a retry answers. */
  levelAfter: Action;
}

const COLUMNS =
  'id::text AS id, msisdn, opened_at AS "openedAt", decision_id AS "decisionId", reasons, score, policy, state, ' +
  'decided_by AS "decidedBy", decided_at AS "decidedAt", why';

/** Who closes a task superseded by a newer review of its number (no person did). */
export const SUPERSEDED_BY = 'carrier';

/**
 * Owns review_task: tasks opened in the transaction of the decision that opens
 * them, listed oldest first, decided once under a row lock.
 */
@Injectable()
export class ReviewTasksRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Opens a task per decision, in the decision's transaction; a decision already holding one (a replay) opens none.
   * A number has at most one OPEN task: an older one still open is closed as superseded.
   */
  async openIn(em: EntityManager, tasks: readonly NewReviewTask[]): Promise<void> {
    for (const task of tasks) {
      const [{ known }]: { known: boolean }[] = await em.query(
        `SELECT EXISTS (SELECT 1 FROM review_task WHERE decision_id = $1) AS known`,
        [task.decisionId],
      );
      if (known) continue;
      await em.query(
        `UPDATE review_task SET state = 'CLOSED', decided_by = $2, decided_at = $3,
           why = 'superseded by a newer review of the number'
         WHERE msisdn = $1 AND state = 'OPEN'`,
        [task.msisdn, SUPERSEDED_BY, task.openedAt],
      );
      await em.query(
        `INSERT INTO review_task (decision_id, msisdn, opened_at, reasons, score, policy)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [task.decisionId, task.msisdn, task.openedAt, task.reasons, task.score, task.policy],
      );
    }
  }

  /** The open tasks (start-up puts their reviews back on the numbers). */
  open(): Promise<{ msisdn: string; openedAt: Date }[]> {
    return this.dataSource.query(`SELECT msisdn, opened_at AS "openedAt" FROM review_task WHERE state = 'OPEN'`);
  }

  /** Tasks oldest first, in one state or all, after a keyset position. */
  page(state: ReviewState | undefined, after: PageCursor | undefined, limit: number): Promise<StoredReviewTask[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM review_task
       WHERE ($1::varchar IS NULL OR state = $1)
         AND ($2::timestamptz IS NULL OR (opened_at, id) > ($2::timestamptz, $3::bigint))
       ORDER BY opened_at, id LIMIT $4`,
      [state ?? null, after?.at ?? null, after?.id ?? null, limit],
    );
  }

  /** The number a task is about (undefined: no such task). */
  async numberOf(id: string): Promise<Msisdn | undefined> {
    const rows: { msisdn: string }[] = await this.dataSource.query(`SELECT msisdn FROM review_task WHERE id = $1`, [
      id,
    ]);
    return rows[0]?.msisdn as Msisdn | undefined;
  }

  /** A task, locked until the transaction ends (concurrent answers to one task wait for each other). */
  async lock(em: EntityManager, id: string): Promise<StoredReviewTask | undefined> {
    const rows: StoredReviewTask[] = await em.query(`SELECT ${COLUMNS} FROM review_task WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    return rows[0];
  }

  /** The task a request id decided, with the content it was decided with and the step it left. */
  async byRequestId(
    em: EntityManager,
    requestId: string,
  ): Promise<(StoredReviewTask & { contentHash: string; levelAfter: Action }) | undefined> {
    const rows: (StoredReviewTask & { contentHash: string; levelAfter: Action })[] = await em.query(
      `SELECT ${COLUMNS}, content_hash AS "contentHash", level_after AS "levelAfter"
       FROM review_task WHERE request_id = $1`,
      [requestId],
    );
    return rows[0];
  }

  /** Stores a person's answer on an OPEN task (locked by `lock` in the same transaction). */
  async decide(em: EntityManager, id: string, answer: ReviewAnswer): Promise<void> {
    await em.query(
      `UPDATE review_task SET state = $2, decided_by = $3, decided_at = $4, why = $5, request_id = $6,
         content_hash = $7, level_after = $8
       WHERE id = $1 AND state = 'OPEN'`,
      [
        id,
        answer.state,
        answer.decidedBy,
        answer.decidedAt,
        answer.why,
        answer.requestId,
        answer.contentHash,
        answer.levelAfter,
      ],
    );
  }
}
