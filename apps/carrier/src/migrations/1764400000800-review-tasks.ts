import { SqlMigration } from '@app/persistence';

/**
 * Review tasks (policy.humanReview): a suspension the analysis held back at
 * RESTRICT for a person, written with the RESTRICT decision that opened it. A
 * person's answer is stored on the task with who, when and why, under the
 * caller's request id (a retry answers the same: `content_hash`, `level_after`).
 * At most one task per number is OPEN. No national ID is ever stored here.
 */
export class ReviewTasks1764400000800 extends SqlMigration {
  name = 'ReviewTasks1764400000800';

  protected readonly upSql = [
    `
      CREATE TABLE review_task (
        id bigserial PRIMARY KEY,
        msisdn varchar(16) NOT NULL,
        opened_at timestamptz NOT NULL,
        decision_id char(32) NOT NULL UNIQUE REFERENCES decision (id),
        reasons text[] NOT NULL,
        score double precision NOT NULL,
        policy varchar(64) NOT NULL,
        state varchar(10) NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'SUSPENDED', 'RESTORED', 'CLOSED')),
        decided_by varchar(128),
        decided_at timestamptz,
        why varchar(2000),
        request_id varchar(128) UNIQUE,
        content_hash char(64),
        level_after varchar(10),
        CHECK ((state = 'OPEN') = (decided_at IS NULL))
      )`,
    `CREATE UNIQUE INDEX review_task_open_uq ON review_task (msisdn) WHERE state = 'OPEN'`,
    `CREATE INDEX review_task_queue_idx ON review_task (state, opened_at, id)`,
  ];

  protected readonly downSql = ['DROP TABLE review_task'];
}
